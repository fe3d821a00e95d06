using SharpGrad.IO;

namespace SharpGrad.Learning;

/// <summary>
/// fastai's <c>SaveModelCallback</c>: saves the model's weights (atomically, as <c>learn.Save</c>) whenever
/// <see cref="TrackerCallback.Monitor"/> improves — or every epoch with <c>everyEpoch</c> (<c>FNAME_EPOCH.sgl</c>) — and
/// at the end of the fit loads the best weights back (unless saving every epoch). With <c>withOpt</c> the file also
/// holds the optimizer state (see <see cref="Checkpoint"/>).
/// </summary>
public sealed class SaveModelCallback(string monitor = "valid_loss", bool? comparison = null, double minDelta = 0, string fname = "model",
                                      bool everyEpoch = false, bool withOpt = false, string folder = "models")
    : TrackerCallback(monitor, comparison, minDelta)
{
    /// <summary>The file the best model is saved to.</summary>
    public string BestPath => Path.Combine(folder, fname + ".sgl");

    /// <inheritdoc/>
    public override void BeforeFit()
    {
        base.BeforeFit();
        Directory.CreateDirectory(folder);
        AtomicFile.CheckWritable(BestPath);
    }

    /// <inheritdoc/>
    public override void AfterEpoch()
    {
        base.AfterEpoch();
        if (everyEpoch) Save(Path.Combine(folder, $"{fname}_{Learn.Epoch}.sgl"));
        else if (NewBest)
        {
            Learn.Output?.WriteLine($"Better model found at epoch {Learn.Epoch} with {Monitor} value: {Best:G6}.");
            Save(BestPath);
        }
    }

    /// <inheritdoc/>
    public override void AfterFit()
    {
        if (!everyEpoch && File.Exists(BestPath)) Load(BestPath);
    }

    private void Save(string path)
    {
        if (withOpt) Checkpoint.Save(Learn, path);
        else Learn.Save(path);
    }

    private void Load(string path)
    {
        if (withOpt) Checkpoint.LoadWeights(Learn, path);
        else Learn.Load(path);
    }
}
