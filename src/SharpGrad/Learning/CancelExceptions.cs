namespace SharpGrad.Learning;

/// <summary>Thrown by a callback to stop the whole fit; the learner runs <see cref="Event.AfterCancelFit"/> and returns normally.</summary>
public sealed class CancelFitException(string? reason = null) : Exception(reason ?? "fit cancelled");

/// <summary>Thrown by a callback to skip the rest of the epoch.</summary>
public sealed class CancelEpochException(string? reason = null) : Exception(reason ?? "epoch cancelled");

/// <summary>Thrown by a callback to skip the rest of the training pass.</summary>
public sealed class CancelTrainException(string? reason = null) : Exception(reason ?? "training pass cancelled");

/// <summary>Thrown by a callback to skip the rest of the validation pass.</summary>
public sealed class CancelValidException(string? reason = null) : Exception(reason ?? "validation cancelled");

/// <summary>Thrown by a callback to skip the rest of the batch (no backward or step).</summary>
public sealed class CancelBatchException(string? reason = null) : Exception(reason ?? "batch cancelled");

/// <summary>Training stopped because the loss became NaN or infinite; the message names the epoch and batch.</summary>
public sealed class TrainingDivergedException(int epoch, int batch, float loss)
    : Exception($"The loss became {(float.IsNaN(loss) ? "NaN" : loss.ToString(System.Globalization.CultureInfo.InvariantCulture))} at epoch {epoch}, batch {batch}: training diverged. Lower the learning rate (try LrFind) or check the inputs for NaNs.")
{
    /// <summary>The epoch (0-based) where it happened.</summary>
    public int Epoch { get; } = epoch;

    /// <summary>The batch (0-based) within the epoch.</summary>
    public int Batch { get; } = batch;
}
