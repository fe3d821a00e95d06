namespace SharpGrad.Plotting;

public static partial class Plots
{
    /// <summary>
    /// fastai's <c>learn.recorder.plot_loss()</c>: the training loss of every iteration (batch), leaving out the first
    /// <paramref name="skipStart"/>, drawn against the iteration number, and the validation loss of every epoch drawn at
    /// the iteration where that epoch ended. Lines are labelled "train" and "valid" in a legend.
    /// </summary>
    /// <param name="path">The PNG file to write (its folder is created; an existing file is replaced atomically).</param>
    /// <param name="trainLossPerBatch">The training loss of each iteration, in order; iteration i is drawn at x = i.
    /// NaN or infinite losses are left out (the line breaks there).</param>
    /// <param name="validLossPerEpoch">Optional validation loss per epoch: the number of iterations done when the epoch ended
    /// (fastai's <c>recorder.iters</c>, e.g. 20, 40, ... for 20 batches an epoch) and the loss. Entries before
    /// <paramref name="skipStart"/> are left out, as in fastai.</param>
    /// <param name="skipStart">How many first iterations to leave out (fastai's <c>skip_start</c>, default 5); at least 0 and
    /// less than the number of training losses.</param>
    /// <param name="title">Title above the plot, or null for none.</param>
    /// <param name="xLabel">X-axis label, or null for none.</param>
    /// <param name="yLabel">Y-axis label, or null for none.</param>
    /// <param name="width">Image width in pixels (1..<see cref="MaxPixels"/>).</param>
    /// <param name="height">Image height in pixels (1..<see cref="MaxPixels"/>).</param>
    /// <exception cref="ArgumentException">A bad path, no training loss, a <paramref name="skipStart"/> out of range, no finite training loss
    /// after skipping, a negative validation iteration, or a bad size.</exception>
    public static void Loss(
        string path,
        IReadOnlyList<double> trainLossPerBatch,
        IReadOnlyList<(int Batch, double Loss)>? validLossPerEpoch = null,
        int skipStart = 5,
        string? title = null,
        string? xLabel = "iteration",
        string? yLabel = "loss",
        int width = 600,
        int height = 400)
    {
        ValidatePath(path);
        ArgumentNullException.ThrowIfNull(trainLossPerBatch);
        if (trainLossPerBatch.Count == 0)
            throw new ArgumentException("No training loss to plot: the list is empty.", nameof(trainLossPerBatch));
        if (skipStart < 0 || skipStart >= trainLossPerBatch.Count)
            throw new ArgumentOutOfRangeException(nameof(skipStart), skipStart,
                $"skipStart must be at least 0 and less than the number of training losses ({trainLossPerBatch.Count}); pass a smaller skipStart for short runs.");
        ValidateSize(width, height);

        int count = trainLossPerBatch.Count - skipStart;
        double[] iterations = new double[count];
        double[] losses = new double[count];
        for (int i = 0; i < count; i++)
        {
            iterations[i] = skipStart + i;
            losses[i] = trainLossPerBatch[skipStart + i];
        }
        if (!losses.Any(double.IsFinite))
            throw new ArgumentException($"Every training loss from iteration {skipStart} on is NaN or infinite; nothing to plot.", nameof(trainLossPerBatch));

        var traces = new List<Trace> { new("train", iterations, losses, CycleColor(0), TraceStyle.Line) };
        if (validLossPerEpoch is not null)
        {
            for (int e = 0; e < validLossPerEpoch.Count; e++)
            {
                if (validLossPerEpoch[e].Batch < 0)
                    throw new ArgumentOutOfRangeException(nameof(validLossPerEpoch), validLossPerEpoch[e].Batch,
                        $"validLossPerEpoch[{e}].Batch = {validLossPerEpoch[e].Batch} is negative; it must be the iteration at which epoch {e} ended.");
            }
            var kept = validLossPerEpoch.Where(v => v.Batch >= skipStart).ToList();
            if (kept.Any(v => double.IsFinite(v.Loss)))
            {
                traces.Add(new Trace("valid",
                    kept.Select(v => (double)v.Batch).ToArray(),
                    kept.Select(v => v.Loss).ToArray(),
                    CycleColor(1), TraceStyle.Line));
            }
        }

        RenderLineFigure(path, traces, new FigureOptions(title, xLabel, yLabel, LogX: false, IntegerX: true, Legend: true, width, height));
    }

    /// <summary>
    /// fastai's learning-rate finder plot (<c>learn.lr_find()</c>): loss against learning rate on a log-scale x axis,
    /// leaving out the last <paramref name="skipEnd"/> points as fastai does, with the suggested learning rate marked by
    /// a red dot on the curve and named in the legend.
    /// </summary>
    /// <param name="path">The PNG file to write (its folder is created; an existing file is replaced atomically).</param>
    /// <param name="lrs">The learning rate of each finder step; every finite one must be positive.</param>
    /// <param name="losses">The (smoothed) loss of each step; as many as <paramref name="lrs"/>. NaN or infinite losses are left out.</param>
    /// <param name="suggestion">The suggested learning rate, or null for none. It must be positive and within the range of
    /// <paramref name="lrs"/>; the dot is drawn at the loss interpolated (in log learning rate) between the nearest steps.</param>
    /// <param name="suggestionName">Legend text for the suggestion, as fastai's suggestion function name ("valley", "minimum", "steep", ...).</param>
    /// <param name="skipEnd">How many last steps to leave out (fastai's <c>skip_end</c>, default 5), at least 0 and less than the number of steps.</param>
    /// <param name="title">Title above the plot, or null for none.</param>
    /// <param name="width">Image width in pixels (1..<see cref="MaxPixels"/>).</param>
    /// <param name="height">Image height in pixels (1..<see cref="MaxPixels"/>).</param>
    /// <exception cref="ArgumentException">A bad path, empty or mismatched lists, a non-positive learning rate, a <paramref name="skipEnd"/> out of range,
    /// no finite point left, a suggestion that is not positive or lies outside the learning rates, or a bad size.</exception>
    public static void LrFind(
        string path,
        IReadOnlyList<double> lrs,
        IReadOnlyList<double> losses,
        double? suggestion = null,
        string suggestionName = "valley",
        int skipEnd = 5,
        string? title = null,
        int width = 600,
        int height = 400)
    {
        ValidatePath(path);
        ArgumentNullException.ThrowIfNull(lrs);
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentNullException.ThrowIfNull(suggestionName);
        ValidatedPoints(lrs, losses, "The learning-rate finder data", nameof(lrs), logX: true, "lrs", "losses");
        if (skipEnd < 0 || skipEnd >= lrs.Count)
            throw new ArgumentOutOfRangeException(nameof(skipEnd), skipEnd,
                $"skipEnd must be at least 0 and less than the number of learning rates ({lrs.Count}).");
        ValidateSize(width, height);

        int count = lrs.Count - skipEnd;
        double[] xs = lrs.Take(count).ToArray();
        double[] ys = losses.Take(count).ToArray();
        if (!Enumerable.Range(0, count).Any(i => double.IsFinite(xs[i]) && double.IsFinite(ys[i])))
            throw new ArgumentException($"No finite (lr, loss) point is left after leaving out the last {skipEnd}.", nameof(losses));

        var traces = new List<Trace> { new(string.Empty, xs, ys, CycleColor(0), TraceStyle.Line) };
        if (suggestion is { } lr)
        {
            if (!double.IsFinite(lr) || lr <= 0)
                throw new ArgumentOutOfRangeException(nameof(suggestion), lr, "The suggested learning rate must be a positive finite number.");
            double loss = LossAtLearningRate(lrs, losses, lr);
            traces.Add(new Trace(suggestionName, [lr], [loss], Red, TraceStyle.Markers, MarkerSize: 10));
        }

        RenderLineFigure(path, traces, new FigureOptions(title, "Learning Rate", "Loss", LogX: true, IntegerX: false,
            Legend: suggestion is not null && suggestionName.Length > 0, width, height));
    }

    /// <summary>The loss at <paramref name="lr"/>, interpolated linearly in log10(lr) between the nearest finite steps.</summary>
    private static double LossAtLearningRate(IReadOnlyList<double> lrs, IReadOnlyList<double> losses, double lr)
    {
        var points = Enumerable.Range(0, lrs.Count)
            .Where(i => double.IsFinite(lrs[i]) && double.IsFinite(losses[i]))
            .Select(i => (X: Math.Log10(lrs[i]), Y: losses[i]))
            .OrderBy(p => p.X)
            .ToList();
        double x = Math.Log10(lr);
        const double tolerance = 1e-9;
        if (x < points[0].X - tolerance || x > points[^1].X + tolerance)
            throw new ArgumentOutOfRangeException("suggestion", lr,
                $"The suggested learning rate lies outside the learning rates with a finite loss ({Math.Pow(10, points[0].X):G4} .. {Math.Pow(10, points[^1].X):G4}).");
        for (int i = 0; i < points.Count; i++)
        {
            if (Math.Abs(points[i].X - x) <= tolerance)
                return points[i].Y;
            if (i + 1 < points.Count && points[i].X < x && x < points[i + 1].X)
            {
                double t = (x - points[i].X) / (points[i + 1].X - points[i].X);
                return points[i].Y + t * (points[i + 1].Y - points[i].Y);
            }
        }
        return points[^1].Y;
    }
}
