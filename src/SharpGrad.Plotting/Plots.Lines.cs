namespace SharpGrad.Plotting;

public static partial class Plots
{
    /// <summary>
    /// Several named lines on one pair of axes (matplotlib's repeated <c>plt.plot(x, y, label=...)</c>), in the
    /// tab10 colours, with a legend when there is more than one series.
    /// </summary>
    /// <param name="path">The PNG file to write (its folder is created; an existing file is replaced atomically).</param>
    /// <param name="series">The lines; at least one, each with as many X as Y values and at least one point whose X and Y are both finite.
    /// Points with a NaN or infinite coordinate are left out (the line breaks there).</param>
    /// <param name="title">Title above the plot, or null for none.</param>
    /// <param name="xLabel">X-axis label, or null for none.</param>
    /// <param name="yLabel">Y-axis label, or null for none.</param>
    /// <param name="logX">Log-scale x axis (as matplotlib's <c>set_xscale('log')</c>): every finite X must then be positive; ticks are labelled
    /// at the decades ("1e-5", "1e-4", ...) with minor ticks between. ScottPlot has no log axis, so the data are drawn as log10(X).</param>
    /// <param name="width">Image width in pixels (1..<see cref="MaxPixels"/>).</param>
    /// <param name="height">Image height in pixels (1..<see cref="MaxPixels"/>).</param>
    /// <exception cref="ArgumentException">A bad path, no series, a null or mismatched series, a series with no finite point, a non-positive X on a log axis, or a bad size.</exception>
    public static void Lines(
        string path,
        IReadOnlyList<Series> series,
        string? title = null,
        string? xLabel = null,
        string? yLabel = null,
        bool logX = false,
        int width = 600,
        int height = 400)
    {
        ValidatePath(path);
        ArgumentNullException.ThrowIfNull(series);
        if (series.Count == 0)
            throw new ArgumentException("No series to plot: the list is empty.", nameof(series));
        ValidateSize(width, height);

        var traces = new List<Trace>(series.Count);
        for (int s = 0; s < series.Count; s++)
        {
            Series one = series[s] ?? throw new ArgumentNullException(nameof(series), $"series[{s}] is null.");
            string name = $"series[{s}] ('{one.Label}')";
            if (one.X is null)
                throw new ArgumentNullException(nameof(series), $"{name}.X is null.");
            if (one.Y is null)
                throw new ArgumentNullException(nameof(series), $"{name}.Y is null.");
            traces.Add(new Trace(one.Label ?? string.Empty,
                ValidatedPoints(one.X, one.Y, name, nameof(series), logX, "X", "Y"),
                one.Y.ToArray(), CycleColor(s), TraceStyle.Line));
        }

        RenderLineFigure(path, traces, new FigureOptions(title, xLabel, yLabel, logX, IntegerX: false, Legend: series.Count > 1, width, height));
    }

    /// <summary>
    /// Checks that <paramref name="xs"/> and <paramref name="ys"/> have the same non-zero length and at least one
    /// point with both coordinates finite, and (on a log axis) that no finite X is zero or negative. Returns X as an array.
    /// </summary>
    private static double[] ValidatedPoints(IReadOnlyList<double> xs, IReadOnlyList<double> ys, string name, string paramName, bool logX, string xName, string yName)
    {
        if (xs.Count != ys.Count)
            throw new ArgumentException($"{name} has {xs.Count} {xName} values but {ys.Count} {yName} values; they must match.", paramName);
        if (xs.Count == 0)
            throw new ArgumentException($"{name} is empty: no point to plot.", paramName);
        bool anyFinite = false;
        for (int i = 0; i < xs.Count; i++)
        {
            if (!double.IsFinite(xs[i]) || !double.IsFinite(ys[i]))
                continue;
            anyFinite = true;
            if (logX && xs[i] <= 0)
                throw new ArgumentOutOfRangeException(paramName, xs[i],
                    $"{name}: {xName}[{i}] = {xs[i]} cannot be drawn on a log-scale x axis (it must be positive).");
        }
        if (!anyFinite)
            throw new ArgumentException($"{name} has no point whose {xName} and {yName} are both finite (all NaN or infinite).", paramName);
        return xs.ToArray();
    }
}
