using System.Globalization;
using System.Net;
using System.Text;
using SharpGrad.Data.Images;

namespace SharpGrad.Vision.Reports;

/// <summary>The HTML pieces of the report: escaping, tables, and images as <c>data:</c> URIs.</summary>
internal static class Html
{
    /// <summary>Text made safe for element content and quoted attribute values.</summary>
    public static string Escape(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A table with an id, an optional header row and rows of already-escaped cells.</summary>
    public static void Table(StringBuilder sb, string id, IReadOnlyList<string>? header, IEnumerable<IReadOnlyList<string>> rows, string? caption = null)
    {
        sb.Append(CultureInfo.InvariantCulture, $"<table id=\"{id}\">");
        if (caption is not null) sb.Append("<caption>").Append(Escape(caption)).Append("</caption>");
        if (header is not null)
        {
            sb.Append("<thead><tr>");
            foreach (string h in header) sb.Append("<th>").Append(Escape(h)).Append("</th>");
            sb.Append("</tr></thead>");
        }
        sb.Append("<tbody>");
        foreach (var row in rows)
        {
            sb.Append("<tr>");
            foreach (string cell in row) sb.Append("<td>").Append(cell).Append("</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
    }

    /// <summary>An <c>img</c> element showing a float tensor (C, H, W) in 0..1 (1 or 3 channels), scaled up to at least <paramref name="minSide"/> pixels.</summary>
    public static string Image(Tensor chw, string alt, int minSide = 84)
    {
        Tensor t = chw.NDim == 2 ? chw.Unsqueeze(0) : chw;
        int c = t.Size(0), h = t.Size(1), w = t.Size(2);
        float[] v = t.Clamp(0f, 1f).Contiguous().ToArray<float>();
        int channels = c >= 3 ? 3 : 1;
        var pixels = new byte[h * w * channels];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int k = 0; k < channels; k++)
                    pixels[(y * w + x) * channels + k] = (byte)MathF.Round(v[(k * h + y) * w + x] * 255f);
        byte[] png = PngEncoder.Encode(new Data.Images.Image(w, h, channels, pixels));
        int scale = Math.Max(1, (minSide + Math.Max(h, w) - 1) / Math.Max(h, w));
        return $"<img src=\"data:image/png;base64,{Convert.ToBase64String(png)}\" width=\"{w * scale}\" height=\"{h * scale}\" alt=\"{Escape(alt)}\">";
    }

    /// <summary>A number as the epoch table prints it (fastai's six decimals; NaN as None).</summary>
    public static string Number(double v) => double.IsNaN(v) ? "None" : v.ToString("F6", CultureInfo.InvariantCulture);

    /// <summary>A duration as the epoch table prints it (mm:ss).</summary>
    public static string Duration(TimeSpan t) => $"{(int)t.TotalMinutes:D2}:{t.Seconds:D2}";
}
