using System.Text.RegularExpressions;
using SharpGrad.Data.Images;
using SharpGrad.Tests.Cli;
using SharpGrad.Tests.Data;

namespace SharpGrad.Tests.Vision.Reports;

/// <summary><c>sharpgrad train --report</c> opened in a real browser (headless Chromium).</summary>
public partial class HtmlReportBrowserTests
{
    private const string HostileClass = "<img src=x onerror=alert(1)>";

    [GeneratedRegex(@"^(\d+)\s+([\d.]+|None)\s+([\d.]+|None)\s+([\d.]+|None)\s+\d\d:\d\d\s*$", RegexOptions.Multiline)]
    private static partial Regex CliRow();

    [GeneratedRegex(@"<table id=""epochs-fit-1"">.*?</table>", RegexOptions.Singleline)]
    private static partial Regex EpochTable();

    [GeneratedRegex(@"<tr>(.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex Row();

    [GeneratedRegex(@"<td>(.*?)</td>", RegexOptions.Singleline)]
    private static partial Regex Cell();

    /// <summary>28x28 grey PNGs in two classes, one with a name that is HTML.</summary>
    private static string Folder(string root)
    {
        var gen = new Generator(5);
        foreach (string label in new[] { "plain", HostileClass })
        {
            string dir = Path.Combine(root, "images", label);
            Directory.CreateDirectory(dir);
            float[] noise = Tensor.Rand([24, 28, 28], gen).ToArray<float>();
            for (int i = 0; i < 24; i++)
            {
                var pixels = new byte[28 * 28];
                for (int p = 0; p < pixels.Length; p++) pixels[p] = (byte)(noise[i * 784 + p] * 90 + (p / 28 < 14 == (label == "plain") ? 150 : 0));
                File.WriteAllBytes(Path.Combine(dir, $"{i}.png"), PngEncoder.Encode(new Image(28, 28, 1, pixels)));
            }
        }
        return Path.Combine(root, "images");
    }

    [ChromiumFact]
    public async Task ReportOpensCleanlyOfflineAndShowsTheNumbersTheCliPrinted()
    {
        using var dir = new TempDir();
        string images = Folder(dir), report = Path.Combine(dir, "run.html"), shot = Path.Combine(dir, "shot.png");
        var (code, output, err) = CliProcess.Run("train", images, "--epochs", "3", "--lr", "0.05", "--report", report);
        Assert.True(code == 0, output + err);
        var cliRows = CliRow().Matches(output).Select(m => m.Groups.Values.Skip(1).Take(4).Select(g => g.Value).ToArray()).ToList();
        Assert.Equal(3, cliRows.Count);

        var (dumpCode, dom, log) = await Chromium.Run("--dump-dom", new Uri(report).AbsoluteUri);
        Assert.True(dumpCode == 0, log);
        // The DOM's epoch table holds exactly the numbers the CLI printed.
        var domRows = Row().Matches(EpochTable().Match(dom).Value)
            .Select(r => Cell().Matches(r.Groups[1].Value).Select(c => c.Groups[1].Value).ToArray()).Where(cells => cells.Length > 0).ToList();
        Assert.Equal(cliRows.Count, domRows.Count);
        for (int i = 0; i < cliRows.Count; i++) Assert.Equal(cliRows[i], domRows[i][..4]);
        // The class named like an element is text, and nothing tried to load or run.
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", dom);
        Assert.DoesNotContain("<img src=\"x\"", dom);
        Assert.DoesNotContain("CONSOLE", log);
        Assert.DoesNotContain("Refused to", log);
        Assert.DoesNotContain("net::ERR", log);

        var (shotCode, _, shotLog) = await Chromium.Run($"--screenshot={shot}", "--window-size=1200,2400", new Uri(report).AbsoluteUri);
        Assert.True(shotCode == 0 && File.Exists(shot), shotLog);
        Image picture = ImageDecoder.Decode(File.ReadAllBytes(shot), shot);
        int c = picture.Channels, inked = 0, left = picture.Width, right = 0;
        for (int y = 0; y < picture.Height; y++)
            for (int x = 0; x < picture.Width; x++)
            {
                int o = (y * picture.Width + x) * c;
                if (picture.Pixels[o] > 200 && picture.Pixels[o + (c > 1 ? 1 : 0)] > 200 && picture.Pixels[o + (c > 2 ? 2 : 0)] > 200) continue;
                inked++;
                left = Math.Min(left, x);
                right = Math.Max(right, x);
            }
        // Not blank, and laid out across the page (tables, images and charts), not a column of text.
        Assert.True(inked > picture.Width * picture.Height / 100, $"only {inked} non-white pixels");
        Assert.True(right - left > picture.Width / 3, $"content spans {left}..{right} of {picture.Width} pixels");
    }
}
