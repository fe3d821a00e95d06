using System.CommandLine;
using SharpGrad.Learning;
using SharpGrad.Plotting;

namespace SharpGrad.Cli;

/// <summary><c>sharpgrad lr-find</c>: the learning-rate range test and fastai's valley suggestion, optionally plotted.</summary>
internal static class LrFindCommand
{
    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "A catalog dataset or a folder of class sub-folders.", DefaultValueFactory = _ => "mnist-sample" };
        var o = new CommonOptions();
        var arch = new Option<string>("--arch") { Description = "linear or mlp.", DefaultValueFactory = _ => "mlp" };
        arch.AcceptOnlyFromAmong("linear", "mlp");
        var hidden = new Option<int>("--hidden") { Description = "Hidden units of the mlp.", DefaultValueFactory = _ => 30 };
        var plot = new Option<string?>("--plot") { Description = "Write the loss-vs-learning-rate curve to this PNG file." };
        var command = new Command("lr-find", "Find a learning rate: train briefly with a rising rate and suggest one (fastai's lr_find).") { dataset, arch, hidden, plot };
        o.AddTo(command);
        command.SetAction(r =>
        {
            if (o.Validate(r) is { } error) return Cli.Fail(error);
            if (r.GetValue(hidden) < 1) return Cli.Fail($"--hidden must be at least 1, got {r.GetValue(hidden)}.");
            return Cli.Run(() =>
            {
                CommonOptions.Values v = o.Read(r);
                Tensor.ManualSeed(v.Seed);
                TrainingData data = TrainingData.Load(r.GetValue(dataset)!, v.DataDir, v.BatchSize, v.Channels, v.Seed, v.ItemTfms);
                var learn = new Learner(data.Dls, Models.Build(r.GetValue(arch)!, data.Features, r.GetValue(hidden), data.Classes),
                                        Models.Loss(data.Classes), Optimizers.Sgd, [Models.Metric(data.Classes)]);
                LrFindResult result = learn.LrFind();
                Console.WriteLine($"suggested learning rate (valley): {result.Valley:G3}");
                if (r.GetValue(plot) is { } png)
                {
                    result.Plot(png);
                    Console.WriteLine($"plot written to {Path.GetFullPath(png)}");
                }
                return 0;
            });
        });
        return command;
    }
}
