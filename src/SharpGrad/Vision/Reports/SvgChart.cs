using System.Globalization;
using System.Text;

namespace SharpGrad.Vision.Reports;

/// <summary>Line charts as inline SVG (no script, no external file): the report's loss, learning-rate and metric curves.</summary>
internal static class SvgChart
{
    private const int Width = 640, Height = 260, Left = 64, Right = 16, Top = 24, Bottom = 36;
    private static readonly string[] Colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"];

    /// <summary>One series: its name, x values and y values (NaN points are skipped).</summary>
    public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Markers = false);

    /// <summary>An SVG chart of <paramref name="series"/> with labelled axes; <paramref name="logY"/> plots log10(y).</summary>
    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<Series> series, bool logY = false)
    {
        var points = series.SelectMany(s => s.X.Zip(s.Y)).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second) && (!logY || p.Second > 0)).ToList();
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Html.Escape(title)}\">");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"16\" text-anchor=\"middle\" class=\"t\">{Html.Escape(title)}</text>");
        if (points.Count == 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{Height / 2}\" text-anchor=\"middle\">no data</text></svg>");
            return sb.ToString();
        }
        double Ty(double y) => logY ? Math.Log10(y) : y;
        double x0 = points.Min(p => p.First), x1 = points.Max(p => p.First);
        double y0 = points.Min(p => Ty(p.Second)), y1 = points.Max(p => Ty(p.Second));
        if (x1 <= x0) x1 = x0 + 1;
        if (y1 <= y0)
        {
            // A constant series (a fixed learning rate): a band around it, not a range of ±0.5 that dwarfs it.
            double pad = y0 == 0 ? 0.5 : Math.Abs(y0) * 0.1;
            y0 -= pad;
            y1 += pad;
        }
        double pw = Width - Left - Right, ph = Height - Top - Bottom;
        string X(double x) => (Left + (x - x0) / (x1 - x0) * pw).ToString("F1", CultureInfo.InvariantCulture);
        string Y(double y) => (Top + (1 - (Ty(y) - y0) / (y1 - y0)) * ph).ToString("F1", CultureInfo.InvariantCulture);

        // Axes, with min and max ticks on each.
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{pw}\" height=\"{ph}\" fill=\"none\" stroke=\"#999\"/>");
        string Tick(double v) => logY ? Math.Pow(10, v).ToString("G3", CultureInfo.InvariantCulture) : v.ToString("G4", CultureInfo.InvariantCulture);
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 4}\" y=\"{Top + 10}\" text-anchor=\"end\" class=\"k\">{Tick(y1)}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 4}\" y=\"{Top + ph}\" text-anchor=\"end\" class=\"k\">{Tick(y0)}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Top + ph + 14}\" class=\"k\">{x0.ToString("G4", CultureInfo.InvariantCulture)}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + pw}\" y=\"{Top + ph + 14}\" text-anchor=\"end\" class=\"k\">{x1.ToString("G4", CultureInfo.InvariantCulture)}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + pw / 2}\" y=\"{Height - 4}\" text-anchor=\"middle\" class=\"k\">{Html.Escape(xLabel)}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"12\" y=\"{Top + ph / 2}\" text-anchor=\"middle\" class=\"k\" transform=\"rotate(-90 12 {Top + ph / 2})\">{Html.Escape(yLabel)}{(logY ? " (log)" : "")}</text>");

        for (int i = 0; i < series.Count; i++)
        {
            Series s = series[i];
            string color = Colors[i % Colors.Length];
            var pts = s.X.Zip(s.Y).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second) && (!logY || p.Second > 0)).ToList();
            if (pts.Count == 0) continue;
            // Thin long series to at most ~2 points per pixel column: the picture is the same, the file smaller.
            int step = Math.Max(1, pts.Count / (int)(2 * pw));
            sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"");
            for (int k = 0; k < pts.Count; k += step) sb.Append(X(pts[k].First)).Append(',').Append(Y(pts[k].Second)).Append(' ');
            sb.Append(X(pts[^1].First)).Append(',').Append(Y(pts[^1].Second)).Append("\"/>");
            if (s.Markers)
                foreach (var (x, y) in pts) sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(x)}\" cy=\"{Y(y)}\" r=\"3\" fill=\"{color}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + 8}\" y=\"{Top + 14 + 14 * i}\" fill=\"{color}\" class=\"k\">{Html.Escape(s.Name)}</text>");
        }
        return sb.Append("</svg>").ToString();
    }
}
