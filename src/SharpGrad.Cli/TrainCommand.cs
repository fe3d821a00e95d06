using System.CommandLine;
using System.Diagnostics;
using SharpGrad.IO;
using SharpGrad.Learning;
using SharpGrad.Vision;

namespace SharpGrad.Cli;

/// <summary><c>sharpgrad train</c>: fetch a dataset, train a linear model or chapter 4's simple_net, print fastai's table, optionally export.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "A catalog dataset (mnist-sample, mnist, fashion-mnist, mnist-png) or a folder of class sub-folders.", DefaultValueFactory = _ => "mnist-sample" };
        var o = new CommonOptions();
        var arch = new Option<string>("--arch") { Description = "linear, mlp (chapter 4's simple_net), resnet18 or resnet34 (fastai's cnn_learner: Adam, 3-channel images).", DefaultValueFactory = _ => "mlp" };
        arch.AcceptOnlyFromAmong("linear", "mlp", "resnet18", "resnet34");
        var hidden = new Option<int>("--hidden") { Description = "Hidden units of the mlp.", DefaultValueFactory = _ => 30 };
        var epochs = new Option<int>("--epochs") { Description = "Epochs.", DefaultValueFactory = _ => 40 };
        var lr = new Option<double>("--lr") { Description = "Learning rate (the maximum with --one-cycle).", DefaultValueFactory = _ => 0.1 };
        var oneCycle = new Option<bool>("--one-cycle") { Description = "Use the 1cycle schedule (fit_one_cycle) instead of a constant rate." };
        var outFile = new Option<string?>("--out") { Description = "Export the trained learner here (weights, architecture, classes), for 'predict' and 'evaluate'." };
        var command = new Command("train", "Train a digit classifier end to end: fetch the data, train, report, optionally export.")
            { dataset, arch, hidden, epochs, lr, oneCycle, outFile };
        o.AddTo(command);
        command.SetAction(r =>
        {
            int e = r.GetValue(epochs), h = r.GetValue(hidden);
            double rate = r.GetValue(lr);
            if (e < 1) return Cli.Fail($"--epochs must be at least 1, got {e}.");
            if (h < 1) return Cli.Fail($"--hidden must be at least 1, got {h}.");
            if (!(rate > 0) || double.IsInfinity(rate)) return Cli.Fail($"--lr must be a positive number, got {rate}.");
            if (o.Validate(r) is { } error) return Cli.Fail(error);
            return Cli.Run(() => Train(r.GetValue(dataset)!, o.Read(r), r.GetValue(arch)!, h, e, rate, r.GetValue(oneCycle), r.GetValue(outFile)));
        });
        return command;
    }

    private static int Train(string source, CommonOptions.Values o, string arch, int hidden, int epochs, double lr, bool oneCycle, string? outFile)
    {
        // A run is lost if its result cannot be saved: check the output path before any work.
        if (outFile is not null) AtomicFile.CheckWritable(outFile);
        Tensor.ManualSeed(o.Seed);
        var clock = Stopwatch.StartNew();
        bool cnn = arch.StartsWith("resnet", StringComparison.Ordinal);
        if (cnn) o = o with { Channels = 3, BatchSize = o.BatchSizeGiven ? o.BatchSize : 64 };
        TrainingData data = TrainingData.Load(source, o.DataDir, o.BatchSize, o.Channels, o.Seed, o.ItemTfms);
        if (data.Classes < 2) return Cli.Fail($"{source}: found {data.Classes} class; training needs at least two.");
        Console.WriteLine($"{data.Name}: {data.Dls.Train.Dataset.Count:N0} training and {data.Dls.Valid.Dataset.Count:N0} validation images of {data.Channels}x{data.Height}x{data.Width}, classes [{string.Join(", ", data.Dls.Vocab)}] (loaded in {clock.Elapsed.TotalSeconds:F1} s)");
        Learner learn = cnn
            ? CnnLearner.Create(data.Dls, arch == "resnet34" ? Arch.Resnet34 : Arch.Resnet18, metrics: [Metrics.Accuracy])
            : new Learner(data.Dls, Models.Build(arch, data.Features, hidden, data.Classes), Models.Loss(data.Classes), Optimizers.Sgd, [Models.Metric(data.Classes)]);
        if (outFile is not null) ModuleSpec.CheckExportable(learn.Model);
        Console.WriteLine($"{arch} ({learn.Model.Parameters().Sum(p => (long)p.Numel):N0} parameters), {(cnn ? "Adam" : "SGD")}, lr {lr}{(oneCycle ? " (1cycle)" : "")}, {epochs} epochs, batch size {o.BatchSize}");
        clock.Restart();
        if (oneCycle) learn.FitOneCycle(epochs, lr);
        else learn.Fit(epochs, lr);
        double[] last = learn.Recorder.Values[^1];
        Console.WriteLine($"{learn.Metrics[0].Name} {last[2]:F4} after {epochs} epochs ({clock.Elapsed.TotalSeconds:F1} s, {clock.Elapsed.TotalMilliseconds / epochs:F0} ms per epoch)");
        if (outFile is not null)
        {
            learn.Export(outFile);
            Console.WriteLine($"exported to {Path.GetFullPath(outFile)}");
        }
        return 0;
    }
}
