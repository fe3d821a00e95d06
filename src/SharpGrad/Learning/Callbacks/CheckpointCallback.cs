namespace SharpGrad.Learning;

/// <summary>
/// Writes a <see cref="Checkpoint"/> to <c>FOLDER/checkpoint.sgl</c> every <paramref name="everyBatches"/> training batches
/// (0: never mid-epoch) and at the end of every epoch, each replacing the last only once it is on disk. After an
/// interruption, <see cref="CheckpointExtensions.Resume"/> and the same fit call continue from the last one.
/// </summary>
public sealed class CheckpointCallback(string folder, int everyBatches = 0) : Callback
{
    /// <summary>The checkpoint file's name inside the folder.</summary>
    public const string FileName = "checkpoint.sgl";

    /// <summary>The checkpoint file.</summary>
    public string Path { get; } = System.IO.Path.Combine(folder, FileName);

    /// <summary>Training batches between mid-epoch checkpoints (0: only at epoch ends).</summary>
    public int EveryBatches { get; } = everyBatches >= 0 ? everyBatches : throw new ArgumentOutOfRangeException(nameof(everyBatches), everyBatches, "everyBatches must be non-negative.");

    /// <summary>After every other callback of a batch or epoch, so the recorder and schedules have moved on.</summary>
    public override int Order => 90;

    /// <inheritdoc/>
    public override bool RunValid => false;

    /// <inheritdoc/>
    public override void BeforeFit()
    {
        Directory.CreateDirectory(folder);
        IO.AtomicFile.CheckWritable(Path);
    }

    /// <inheritdoc/>
    public override void AfterBatch()
    {
        // The learner counts this batch as done only after its after-batch event, so the position is one further.
        if (EveryBatches > 0 && Learn.Training && (Learn.TrainIter + 1) % EveryBatches == 0) Checkpoint.SaveAfterBatch(Learn, Path);
    }

    /// <inheritdoc/>
    public override void AfterEpoch() => Checkpoint.Save(Learn, Path, epochDone: true);
}

/// <summary>Resuming as an extension of <see cref="Learner"/>.</summary>
public static class CheckpointExtensions
{
    /// <summary>
    /// Arms the learner to continue from the checkpoint in <paramref name="folder"/> (written by a <see cref="CheckpointCallback"/>):
    /// call the interrupted fit again, with the same arguments, and it picks up where the checkpoint left off. Returns false
    /// (and changes nothing) when the folder holds no checkpoint yet, so a first run and a rerun can be the same code.
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint is corrupt or for another model.</exception>
    public static bool Resume(this Learner learn, string folder)
    {
        string path = Path.Combine(folder, CheckpointCallback.FileName);
        if (!File.Exists(path)) return false;
        Checkpoint.Load(learn, path);
        return true;
    }
}
