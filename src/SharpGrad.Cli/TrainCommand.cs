using System.CommandLine;
using System.Diagnostics;
using SharpGrad.Data;
using SharpGrad.IO;
using SharpGrad.Learning;
using SharpGrad.Reporting;
using SharpGrad.Vision;
using SharpGrad.Vision.Reports;

namespace SharpGrad.Cli;

/// <summary>
/// <c>sharpgrad train</c>: fetch a dataset (or read a folder of images), train a linear model, chapter 4's simple_net or
/// a resnet (from scratch, or pretrained and fine-tuned), print fastai's table, optionally export.
/// </summary>
internal static class TrainCommand
{
    /// <summary>What the user asked for, checked.</summary>
    private sealed record Plan(string Arch, int Hidden, int Epochs, double Lr, bool LrGiven, bool OneCycle, bool Pretrained, int? FineTune, int FreezeEpochs,
                               bool Augment, string? OutFile, string? CheckpointDir, int CheckpointEvery, bool Resume, string? Report, Device? Device);

    public static Command Create()
    {
        var dataset = new Argument<string>("dataset") { Description = "A catalog dataset (mnist-sample, mnist, fashion-mnist, mnist-png) or a folder of class sub-folders.", DefaultValueFactory = _ => "mnist-sample" };
        var o = new CommonOptions();
        var arch = new Option<string>("--arch") { Description = "linear, mlp (chapter 4's simple_net), resnet18 or resnet34 (fastai's vision learner: Adam, 3-channel images).", DefaultValueFactory = _ => "mlp" };
        arch.AcceptOnlyFromAmong("linear", "mlp", "resnet18", "resnet34");
        var hidden = new Option<int>("--hidden") { Description = "Hidden units of the mlp.", DefaultValueFactory = _ => 30 };
        var epochs = new Option<int>("--epochs") { Description = "Epochs.", DefaultValueFactory = _ => 40 };
        var lr = new Option<double>("--lr") { Description = "Learning rate (the maximum with --one-cycle; the base rate with --fine-tune, default 2e-3 there).", DefaultValueFactory = _ => 0.1 };
        var oneCycle = new Option<bool>("--one-cycle") { Description = "Use the 1cycle schedule (fit_one_cycle) instead of a constant rate." };
        var pretrained = new Option<bool>("--pretrained") { Description = "Start resnet18 from ImageNet weights (CNTK's, fetched from NuGet and cached), body frozen." };
        var fineTune = new Option<int?>("--fine-tune") { Description = "fastai's fine_tune: train the head with the body frozen for --freeze-epochs, then everything for this many epochs (replaces --epochs)." };
        var freezeEpochs = new Option<int>("--freeze-epochs") { Description = "Frozen epochs before --fine-tune unfreezes.", DefaultValueFactory = _ => 1 };
        var aug = new Option<bool>("--aug") { Description = "Augment training batches with fastai's aug_transforms (flip, rotate, zoom, warp, lighting). On by default with --pretrained." };
        var noAug = new Option<bool>("--no-aug") { Description = "Do not augment, even with --pretrained." };
        var checkpointDir = new Option<string?>("--checkpoint-dir") { Description = "Write a checkpoint (weights, optimizer, position, random state) to DIR/checkpoint.sgl at every epoch's end, and every --checkpoint-every batches." };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Also checkpoint every N training batches (0: only at epoch ends).", DefaultValueFactory = _ => 0 };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint in --checkpoint-dir (the same command that was interrupted); starts afresh when there is none." };
        var outFile = new Option<string?>("--out") { Description = "Export the trained learner here (weights, architecture, classes, image transform), for 'predict' and 'evaluate'." };
        var device = new Option<string>("--device") { Description = "Where to train: cpu, cuda, cuda:N, or auto (CUDA when the machine has it, else the CPU with one line saying so).", DefaultValueFactory = _ => "cpu" };
        var report = new Option<string?>("--report") { Description = "Write an HTML report of the run here: data, model, epoch table, curves, confusion matrix, top losses (one self-contained file)." };
        var command = new Command("train", "Train an image classifier end to end: fetch the data, train, report, optionally export.")
            { dataset, arch, hidden, epochs, lr, oneCycle, pretrained, fineTune, freezeEpochs, aug, noAug, checkpointDir, checkpointEvery, resume, outFile, report, device };
        o.AddTo(command);
        command.SetAction(r =>
        {
            int e = r.GetValue(epochs), h = r.GetValue(hidden), fe = r.GetValue(freezeEpochs);
            double rate = r.GetValue(lr);
            if (e < 1) return Cli.Fail($"--epochs must be at least 1, got {e}.");
            if (h < 1) return Cli.Fail($"--hidden must be at least 1, got {h}.");
            if (!(rate > 0) || double.IsInfinity(rate)) return Cli.Fail($"--lr must be a positive number, got {rate}.");
            if (r.GetValue(fineTune) is < 1) return Cli.Fail($"--fine-tune must be at least 1, got {r.GetValue(fineTune)}.");
            if (fe < 0) return Cli.Fail($"--freeze-epochs must be non-negative, got {fe}.");
            string a = r.GetValue(arch)!;
            if (r.GetValue(pretrained) && a != "resnet18")
                return Cli.Fail($"--pretrained needs --arch resnet18 (the only pretrained weights reachable here), got --arch {a}.");
            if (r.GetValue(fineTune) is not null && !a.StartsWith("resnet", StringComparison.Ordinal))
                return Cli.Fail($"--fine-tune needs a resnet (--arch resnet18 --pretrained), got --arch {a}.");
            if (r.GetValue(aug) && r.GetValue(noAug)) return Cli.Fail("--aug and --no-aug contradict each other; give one.");
            if (r.GetValue(checkpointEvery) < 0) return Cli.Fail($"--checkpoint-every must be non-negative, got {r.GetValue(checkpointEvery)}.");
            if (r.GetValue(resume) && r.GetValue(checkpointDir) is null) return Cli.Fail("--resume needs --checkpoint-dir, the folder of the checkpoint to continue from.");
            if (r.GetValue(checkpointDir) is not null && r.GetValue(fineTune) is not null)
                return Cli.Fail("--checkpoint-dir does not work with --fine-tune yet (fine_tune is two fits); checkpoint a plain --epochs run.");
            if (o.Validate(r) is { } error) return Cli.Fail(error);
            string deviceText = r.GetValue(device)!;
            Device target = Device.Cpu;
            if (deviceText != "auto")
            {
                try
                {
                    target = Device.Parse(deviceText);
                }
                catch (FormatException ex)
                {
                    return Cli.Fail($"--device: {ex.Message}");
                }
            }
            bool augment = !r.GetValue(noAug) && (r.GetValue(aug) || r.GetValue(pretrained));
            var plan = new Plan(a, h, e, rate, r.GetResult(lr) is { Implicit: false }, r.GetValue(oneCycle), r.GetValue(pretrained), r.GetValue(fineTune), fe,
                                augment, r.GetValue(outFile), r.GetValue(checkpointDir), r.GetValue(checkpointEvery), r.GetValue(resume),
                                r.GetValue(report), deviceText == "auto" ? null : target);
            return Cli.Run(() => Train(r.GetValue(dataset)!, o.Read(r), plan));
        });
        return command;
    }

    private static int Train(string source, CommonOptions.Values o, Plan p)
    {
        // A run is lost if its result cannot be saved: check the output path before any work.
        if (p.OutFile is not null) AtomicFile.CheckWritable(p.OutFile);
        if (p.Report is not null) AtomicFile.CheckWritable(p.Report);
        Tensor.ManualSeed(o.Seed);
        var clock = Stopwatch.StartNew();
        bool cnn = p.Arch.StartsWith("resnet", StringComparison.Ordinal);
        if (cnn) o = o with { Channels = 3, BatchSize = o.BatchSizeGiven ? o.BatchSize : 64 };
        TrainingData data = TrainingData.Load(source, o.DataDir, o.BatchSize, o.Channels, o.Seed, o.ItemTfms, p.Augment ? [new AugTransforms()] : null);
        if (data.Classes < 2) return Cli.Fail($"{source}: found {data.Classes} class; training needs at least two.");
        Console.WriteLine($"{data.Name}: {data.Dls.Train.Dataset.Count:N0} training and {data.Dls.Valid.Dataset.Count:N0} validation images of {data.Channels}x{data.Height}x{data.Width}" +
                          $"{(o.ItemTfms is { } t ? $" ({t})" : "")}{(p.Augment ? ", augmented" : "")}, classes [{string.Join(", ", data.Dls.Vocab)}] (loaded in {clock.Elapsed.TotalSeconds:F1} s)");
        Learner learn = cnn
            ? VisionLearner.Create(data.Dls, p.Arch == "resnet34" ? Arch.Resnet34 : Arch.Resnet18, p.Pretrained, metrics: [Metrics.Accuracy], progress: Reporters.Default)
            : new Learner(data.Dls, Models.Build(p.Arch, data.Features, p.Hidden, data.Classes), Models.Loss(data.Classes), Optimizers.Sgd, [Models.Metric(data.Classes)]);
        if (p.OutFile is not null) ModuleSpec.CheckExportable(learn.Model);
        // The device is checked before any training: an unusable GPU is reported, or (auto) replaced by the CPU.
        Device device = p.Device ?? Device.Cpu;
        if (p.Device is null && !SharpGrad.Cuda.CudaBackend.TryOpen(Device.Cuda(0), out string? why))
            Console.Error.WriteLine($"--device auto: no CUDA device ({why}); training on the CPU.");
        else if (p.Device is null) device = Device.Cuda(0);
        if (!device.IsCpu)
        {
            if (!SharpGrad.Cuda.CudaBackend.TryOpen(device, out string? reason)) return Cli.Fail($"--device {device}: {reason}");
            learn.To(device);
            Console.WriteLine($"training on {device}");
        }
        if (p.CheckpointDir is not null)
        {
            learn.AddCallback(new CheckpointCallback(p.CheckpointDir, p.CheckpointEvery));
            if (p.Resume && learn.Resume(p.CheckpointDir))
                Console.WriteLine($"resuming from {Path.Combine(p.CheckpointDir, CheckpointCallback.FileName)}");
        }
        long parameters = learn.Model.Parameters().Sum(t => (long)t.Numel);
        clock.Restart();
        int epochs;
        if (p.FineTune is { } ft)
        {
            double baseLr = p.LrGiven ? p.Lr : 2e-3;
            Console.WriteLine($"{p.Arch}{(p.Pretrained ? " pretrained" : "")} ({parameters:N0} parameters), Adam, fine_tune: {p.FreezeEpochs} frozen epoch(s) at {baseLr:G3}, " +
                              $"then {ft} at slice({baseLr / 200:G3}, {baseLr / 2:G3}), batch size {o.BatchSize}");
            learn.FineTune(ft, baseLr, p.FreezeEpochs);
            epochs = ft + p.FreezeEpochs;
        }
        else
        {
            Console.WriteLine($"{p.Arch}{(p.Pretrained ? " pretrained, body frozen" : "")} ({parameters:N0} parameters), {(cnn ? "Adam" : "SGD")}, lr {p.Lr}{(p.OneCycle ? " (1cycle)" : "")}, {p.Epochs} epochs, batch size {o.BatchSize}");
            using var interrupt = Interrupt.Listen();
            try
            {
                if (p.OneCycle) learn.FitOneCycle(p.Epochs, p.Lr, cancellation: interrupt.Token);
                else learn.Fit(p.Epochs, p.Lr, cancellation: interrupt.Token);
            }
            catch (OperationCanceledException) when (interrupt.Token.IsCancellationRequested)
            {
                if (p.CheckpointDir is null)
                {
                    Console.Error.WriteLine($"Interrupted at epoch {learn.Epoch}, batch {learn.TrainBatchesDone}; nothing saved (use --checkpoint-dir to be able to resume).");
                    return Interrupt.ExitCode;
                }
                string checkpoint = Path.Combine(p.CheckpointDir, CheckpointCallback.FileName);
                Checkpoint.Save(learn, checkpoint);
                Console.Error.WriteLine($"Interrupted at epoch {learn.Epoch}, batch {learn.TrainBatchesDone}; checkpoint written to {checkpoint}.");
                Console.Error.WriteLine($"Resume with: {Interrupt.ResumeCommand()}");
                return Interrupt.ExitCode;
            }
            epochs = p.Epochs;
        }
        double[] last = learn.Recorder.Values[^1];
        Console.WriteLine($"{learn.Metrics[0].Name} {last[2]:F4} after {epochs} epochs ({clock.Elapsed.TotalSeconds:F1} s, {clock.Elapsed.TotalMilliseconds / epochs:F0} ms per epoch)");
        if (p.OutFile is not null)
        {
            learn.Export(p.OutFile);
            Console.WriteLine($"exported to {Path.GetFullPath(p.OutFile)}");
        }
        if (p.Report is not null)
        {
            learn.Report(p.Report, new HtmlReportOptions(Command: CommandLine()));
            Console.WriteLine($"report written to {Path.GetFullPath(p.Report)}");
        }
        return 0;
    }

    /// <summary>This process's command as the user typed it (arguments with spaces quoted).</summary>
    private static string CommandLine() =>
        string.Join(' ', ["sharpgrad", .. Environment.GetCommandLineArgs().Skip(1).Select(a => a.Length == 0 || a.Any(char.IsWhiteSpace) ? $"\"{a}\"" : a)]);
}
