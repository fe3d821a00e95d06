namespace SharpGrad.Plotting;

public static partial class Plots
{
    /// <summary>Number of points <see cref="Function"/> samples <c>f</c> at, as fastbook's <c>torch.linspace(min, max, 100)</c>.</summary>
    public const int FunctionSamples = 100;

    /// <summary>
    /// fastbook's <c>plot_function</c>: draws <paramref name="f"/> sampled at <see cref="FunctionSamples"/> evenly
    /// spaced points of [<paramref name="min"/>, <paramref name="max"/>], optionally with one point marked by a red
    /// dot (fastbook's <c>plt.scatter(-1.5, f(-1.5), color='red')</c>). Where <paramref name="f"/> returns NaN or
    /// an infinity the curve has a gap.
    /// </summary>
    /// <param name="path">The PNG file to write (its folder is created; an existing file is replaced atomically).</param>
    /// <param name="f">The function to plot.</param>
    /// <param name="min">Smallest x; finite and less than <paramref name="max"/>.</param>
    /// <param name="max">Largest x; finite.</param>
    /// <param name="title">Title above the plot, or null for none.</param>
    /// <param name="xLabel">X-axis label, or null for none.</param>
    /// <param name="yLabel">Y-axis label, or null for none.</param>
    /// <param name="point">A point to mark with a red dot (need not lie on the curve nor inside [min, max]), or null.</param>
    /// <param name="width">Image width in pixels (1..<see cref="MaxPixels"/>).</param>
    /// <param name="height">Image height in pixels (1..<see cref="MaxPixels"/>).</param>
    /// <exception cref="ArgumentException">A bad path, a non-finite or empty range, a non-finite point, a bad size, or <paramref name="f"/> finite nowhere in the range.</exception>
    public static void Function(
        string path,
        Func<double, double> f,
        double min = -2,
        double max = 2,
        string? title = null,
        string? xLabel = "x",
        string? yLabel = "y",
        (double X, double Y)? point = null,
        int width = 600,
        int height = 400)
    {
        ValidatePath(path);
        ArgumentNullException.ThrowIfNull(f);
        RequireRange(min, max, nameof(min), nameof(max));
        if (point is { } p)
        {
            if (!double.IsFinite(p.X) || !double.IsFinite(p.Y))
                throw new ArgumentOutOfRangeException(nameof(point), p, "The marked point must have finite coordinates.");
        }
        ValidateSize(width, height);

        double[] xs = new double[FunctionSamples];
        double[] ys = new double[FunctionSamples];
        for (int i = 0; i < FunctionSamples; i++)
        {
            xs[i] = i == FunctionSamples - 1 ? max : min + (max - min) * i / (FunctionSamples - 1);
            ys[i] = f(xs[i]);
        }
        if (!ys.Any(double.IsFinite))
            throw new ArgumentException($"f returned no finite value on [{min}, {max}]; nothing to plot.", nameof(f));

        var traces = new List<Trace> { new(string.Empty, xs, ys, CycleColor(0), TraceStyle.Line) };
        if (point is { } marked)
            traces.Add(new Trace(string.Empty, [marked.X], [marked.Y], Red, TraceStyle.Markers, MarkerSize: 10));

        RenderLineFigure(path, traces, new FigureOptions(title, xLabel, yLabel, LogX: false, IntegerX: false, Legend: false, width, height));
    }
}
