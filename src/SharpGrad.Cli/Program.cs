using System.CommandLine;
using SharpGrad.Cli;

var root = new RootCommand("SharpGrad: deep learning for .NET, from tensors and autograd up.")
{
    InfoCommand.Create(),
    DemoCommand.Create(),
    DatasetsCommand.Create(),
    TrainCommand.Create(),
    BaselineCommand.Create(),
    LrFindCommand.Create(),
    EvaluateCommand.Create(),
    PredictCommand.Create(),
};
return root.Parse(args).Invoke();
