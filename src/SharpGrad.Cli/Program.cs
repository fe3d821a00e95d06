using System.CommandLine;
using SharpGrad.Cli;

// A plain Command named "sharpgrad" (RootCommand takes its name from the .dll the tool shim runs: "SharpGrad.Cli"),
// with the help and version options a RootCommand would add.
var root = new Command("sharpgrad", "SharpGrad: deep learning for .NET, from tensors and autograd up.")
{
    new System.CommandLine.Help.HelpOption(),
    new VersionOption(),
    InfoCommand.Create(),
    DemoCommand.Create(),
    DatasetsCommand.Create(),
    TrainCommand.Create(),
    BaselineCommand.Create(),
    LrFindCommand.Create(),
    EvaluateCommand.Create(),
    PredictCommand.Create(),
    ExportCommand.Create(),
    InterpretCommand.Create(),
};
// Live progress bars on a terminal (the library itself writes plain lines and depends on no console-UI package).
SharpGrad.Reporting.Reporters.Default = new LiveReporter();
ParseResult parsed = root.Parse(args);
Cli.CommandPath = Cli.PathOf(parsed.CommandResult);
if (parsed.Errors.Count > 0)
{
    // One convention for every usage error: the error first, then a one-line hint, exit code 2 (not the whole help).
    foreach (var error in parsed.Errors) Console.Error.WriteLine(error.Message);
    return Cli.Fail(null);
}
return parsed.Invoke();
