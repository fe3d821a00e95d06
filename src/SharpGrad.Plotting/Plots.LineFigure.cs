using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace SharpGrad.Plotting;

public static partial class Plots
{
    /// <summary>How a trace is drawn.</summary>
    private enum TraceStyle
    {
        /// <summary>Points joined by a line (a lone finite point is drawn as a small dot so it stays visible).</summary>
        Line,

        /// <summary>Filled circles only, as matplotlib's <c>plt.scatter</c> / <c>'ro'</c>.</summary>
        Markers,
    }

    /// <summary>One thing to draw on a line figure; X and Y already validated and of equal length.</summary>
    private sealed record Trace(string Label, double[] X, double[] Y, Color Color, TraceStyle Style, float MarkerSize = 9);

    /// <summary>Options shared by the figures drawn by <see cref="RenderLineFigure"/>.</summary>
    private sealed record FigureOptions(
        string? Title,
        string? XLabel,
        string? YLabel,
        bool LogX,
        bool IntegerX,
        bool Legend,
        int Width,
        int Height);

    private const float TitleFontSize = 16;
    private const float AxisLabelFontSize = 14;
    private const float TickFontSize = 12;
    private const float LineWidth = 2;

    /// <summary>
    /// Draws <paramref name="traces"/> on one pair of axes and writes the PNG. With <c>LogX</c> every finite
    /// X must be positive (validated by the callers); X is drawn as log10(X) with decade tick labels.
    /// </summary>
    private static void RenderLineFigure(string path, IReadOnlyList<Trace> traces, FigureOptions options)
    {
        // Plotted coordinates: log10(x) on a log axis; pairs with a non-finite value are gaps.
        var plotted = traces
            .Select(t => t with { X = options.LogX ? t.X.Select(Math.Log10).ToArray() : t.X })
            .ToList();

        (double xLo, double xHi) = PaddedRange(plotted.SelectMany(FinitePairs).Select(p => p.X));
        (double yLo, double yHi) = PaddedRange(plotted.SelectMany(FinitePairs).Select(p => p.Y));

        PlotFont.EnsureRegistered();
        lock (RenderLock)
        {
            using var plot = new Plot();
            StyleLikeMatplotlib(plot, options);

            foreach (Trace trace in plotted)
                AddTrace(plot, trace);

            plot.Axes.SetLimits(xLo, xHi, yLo, yHi);
            if (options.LogX)
                plot.Axes.Bottom.TickGenerator = LogTicks(xLo, xHi, options.Width);
            else
                plot.Axes.Bottom.MinorTickStyle.Length = 0; // matplotlib shows minor ticks on log axes only
            if (options.IntegerX)
                plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
            plot.Axes.Left.MinorTickStyle.Length = 0;

            // ScottPlot shows a legend by itself as soon as a plottable has legend text: decide explicitly.
            StyleLegend(plot);
            if (options.Legend && plotted.Any(t => t.Label.Length > 0))
                plot.ShowLegend(BestLegendCorner(plotted, xLo, xHi, yLo, yHi));
            else
                plot.HideLegend();

            plot.Font.Set(PlotFont.Family);
            SavePng(plot, path, options.Width, options.Height);
        }
    }

    private static IEnumerable<(double X, double Y)> FinitePairs(Trace trace)
    {
        for (int i = 0; i < trace.X.Length; i++)
        {
            if (double.IsFinite(trace.X[i]) && double.IsFinite(trace.Y[i]))
                yield return (trace.X[i], trace.Y[i]);
        }
    }

    /// <summary>The range of <paramref name="values"/> widened by 5% each side, as matplotlib's default margins.</summary>
    private static (double Lo, double Hi) PaddedRange(IEnumerable<double> values)
    {
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        foreach (double v in values)
        {
            lo = Math.Min(lo, v);
            hi = Math.Max(hi, v);
        }
        if (!double.IsFinite(lo))
            throw new InvalidOperationException("No finite point to plot (should have been validated).");
        if (hi - lo <= Math.Max(Math.Abs(lo), Math.Abs(hi)) * 1e-12)
        {
            double half = lo == 0 ? 0.5 : Math.Abs(lo) * 0.05;
            return (lo - half, hi + half);
        }
        double pad = (hi - lo) * 0.05;
        return (lo - pad, hi + pad);
    }

    private static void StyleLikeMatplotlib(Plot plot, FigureOptions options)
    {
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        plot.HideGrid();

        if (!string.IsNullOrEmpty(options.Title))
        {
            plot.Title(options.Title, TitleFontSize);
            plot.Axes.Title.Label.Bold = false;
        }
        if (!string.IsNullOrEmpty(options.XLabel))
        {
            plot.XLabel(options.XLabel, AxisLabelFontSize);
            plot.Axes.Bottom.Label.Bold = false;
        }
        if (!string.IsNullOrEmpty(options.YLabel))
        {
            plot.YLabel(options.YLabel, AxisLabelFontSize);
            plot.Axes.Left.Label.Bold = false;
        }
        plot.Axes.Bottom.TickLabelStyle.FontSize = TickFontSize;
        plot.Axes.Left.TickLabelStyle.FontSize = TickFontSize;
    }

    private static void AddTrace(Plot plot, Trace trace)
    {
        if (trace.Style == TraceStyle.Markers)
        {
            var (xs, ys) = Unzip(FinitePairs(trace));
            var markers = plot.Add.Markers(xs, ys, MarkerShape.FilledCircle, trace.MarkerSize, trace.Color);
            markers.LegendText = trace.Label;
            return;
        }

        // A line broken wherever a point is not finite; the legend entry goes on the first piece only.
        bool labelled = false;
        foreach (var (xs, ys) in FiniteSegments(trace))
        {
            string legend = labelled ? string.Empty : trace.Label;
            labelled = true;
            if (xs.Length == 1)
            {
                var dot = plot.Add.Marker(xs[0], ys[0], MarkerShape.FilledCircle, 5, trace.Color);
                dot.LegendText = legend;
                continue;
            }
            var line = plot.Add.ScatterLine(xs, ys, trace.Color);
            line.LineWidth = LineWidth;
            line.MarkerSize = 0;
            line.LegendText = legend;
        }
    }

    private static IEnumerable<(double[] X, double[] Y)> FiniteSegments(Trace trace)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (int i = 0; i <= trace.X.Length; i++)
        {
            bool finite = i < trace.X.Length && double.IsFinite(trace.X[i]) && double.IsFinite(trace.Y[i]);
            if (finite)
            {
                xs.Add(trace.X[i]);
                ys.Add(trace.Y[i]);
            }
            else if (xs.Count > 0)
            {
                yield return (xs.ToArray(), ys.ToArray());
                xs.Clear();
                ys.Clear();
            }
        }
    }

    private static (double[] X, double[] Y) Unzip(IEnumerable<(double X, double Y)> pairs)
    {
        var list = pairs.ToList();
        return (list.Select(p => p.X).ToArray(), list.Select(p => p.Y).ToArray());
    }

    /// <summary>
    /// Ticks for a log10-transformed axis spanning [<paramref name="lo"/>, <paramref name="hi"/>] (in log10 units):
    /// labelled majors at the decades ("1e-5", "1e-4", ...), minor ticks at 2..9 times each decade. A range too
    /// narrow to hold two decades also labels the 2x and 5x ticks (then every multiple, then plain values).
    /// </summary>
    private static NumericManual LogTicks(double lo, double hi, int widthPixels)
    {
        var ticks = new NumericManual();
        var decades = new List<int>();
        for (int d = (int)Math.Ceiling(lo - 1e-9); d <= Math.Floor(hi + 1e-9); d++)
            decades.Add(d);

        var labelled = new List<(double Position, string Label)>();
        if (decades.Count >= 2)
        {
            int maxLabels = Math.Max(2, widthPixels / 60);
            int step = (decades.Count + maxLabels - 1) / maxLabels;
            labelled.AddRange(decades.Where(d => d % step == 0).Select(d => ((double)d, DecadeLabel(1, d))));
        }
        else
        {
            foreach (int[] multiples in new[] { new[] { 1, 2, 5 }, new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 } })
            {
                labelled = MultiplesInRange(lo, hi, multiples).ToList();
                if (labelled.Count >= 2)
                    break;
            }
            if (labelled.Count < 2)
            {
                // Less than a factor of ~1.25 across: evenly spaced plain values.
                labelled = Enumerable.Range(0, 5)
                    .Select(i => lo + (hi - lo) * (0.1 + 0.2 * i))
                    .Select(p => (p, Math.Pow(10, p).ToString("G3", CultureInfo.InvariantCulture)))
                    .ToList();
            }
        }

        foreach (var (position, label) in labelled)
            ticks.AddMajor(position, label);
        var majorPositions = labelled.Select(t => t.Position).ToList();
        foreach (var (position, _) in MultiplesInRange(lo, hi, [1, 2, 3, 4, 5, 6, 7, 8, 9]))
        {
            if (!majorPositions.Any(m => Math.Abs(m - position) < 1e-9))
                ticks.AddMinor(position);
        }
        return ticks;
    }

    /// <summary>The positions log10(k * 10^d), k in <paramref name="multiples"/>, inside [lo, hi], with labels "ke-d".</summary>
    private static IEnumerable<(double Position, string Label)> MultiplesInRange(double lo, double hi, int[] multiples)
    {
        for (int d = (int)Math.Floor(lo) - 1; d <= (int)Math.Ceiling(hi); d++)
        {
            foreach (int k in multiples)
            {
                double position = d + Math.Log10(k);
                if (position >= lo - 1e-9 && position <= hi + 1e-9)
                    yield return (position, DecadeLabel(k, d));
            }
        }
    }

    private static string DecadeLabel(int multiple, int decade) =>
        string.Create(CultureInfo.InvariantCulture, $"{multiple}e{decade}");

    /// <summary>
    /// matplotlib's <c>loc='best'</c>, simplified: the corner of the data area with the fewest plotted points
    /// (lines sampled between points), preferring upper right, upper left, lower left, lower right on ties.
    /// </summary>
    private static Alignment BestLegendCorner(IReadOnlyList<Trace> traces, double xLo, double xHi, double yLo, double yHi)
    {
        Alignment[] corners = [Alignment.UpperRight, Alignment.UpperLeft, Alignment.LowerLeft, Alignment.LowerRight];
        int[] counts = new int[corners.Length];
        void Count(double x, double y)
        {
            double u = (x - xLo) / (xHi - xLo), v = (y - yLo) / (yHi - yLo);
            bool right = u >= 0.55, left = u <= 0.45, top = v >= 0.6, bottom = v <= 0.4;
            if (top && right) counts[0]++;
            if (top && left) counts[1]++;
            if (bottom && left) counts[2]++;
            if (bottom && right) counts[3]++;
        }
        foreach (Trace trace in traces)
        {
            if (trace.Style == TraceStyle.Markers)
            {
                foreach (var (x, y) in FinitePairs(trace))
                    Count(x, y);
                continue;
            }
            foreach (var (xs, ys) in FiniteSegments(trace))
            {
                Count(xs[0], ys[0]);
                for (int i = 1; i < xs.Length; i++)
                {
                    for (int s = 1; s <= 8; s++)
                        Count(xs[i - 1] + (xs[i] - xs[i - 1]) * s / 8, ys[i - 1] + (ys[i] - ys[i - 1]) * s / 8);
                }
            }
        }
        int best = 0;
        for (int i = 1; i < corners.Length; i++)
        {
            if (counts[i] < counts[best])
                best = i;
        }
        return corners[best];
    }

    private static void StyleLegend(Plot plot)
    {
        plot.Legend.FontName = PlotFont.Family;
        plot.Legend.SetBestFontOnEachRender = false;
        plot.Legend.FontSize = TickFontSize;
        plot.Legend.ShadowColor = Colors.Transparent;
        plot.Legend.OutlineColor = Color.FromHex("#cccccc");
        plot.Legend.BackgroundColor = Colors.White.WithAlpha(0.8);
    }
}
