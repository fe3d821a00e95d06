using System.Globalization;
using SharpGrad.Data;
using SharpGrad.Learning;
using SharpGrad.NN;
using SharpGrad.Tests.Data;
using SharpGrad.Vision.Reports;

namespace SharpGrad.Tests.Vision.Reports;

/// <summary>The HTML report holds the run's numbers, escapes what users name, and is one self-contained file.</summary>
public class HtmlReportTests
{
    internal const string Hostile = "<script>alert(1)</script>";

    /// <summary>A learner on 8x8 grey images of two classes, one of them named <see cref="Hostile"/>, trained 2 epochs.</summary>
    internal static Learner Trained()
    {
        var g = new Generator(4);
        Tensor y = Tensor.Randint(0, 2, [64], g);
        Tensor x = Tensor.Rand([64, 1, 8, 8], g) * 0.3f + y.Float().Reshape(64, 1, 1, 1) * 0.5f;
        var dls = new DataLoaders(new DataLoader(new TensorDataset(x, y), 16, shuffle: true, generator: new Generator(1)),
                                  new DataLoader(new TensorDataset(x, y), 16), ["plain", Hostile]);
        var learn = new Learner(dls, Nn.Sequential(Nn.Flatten(), Nn.Linear(64, 2)), F.CrossEntropy, Optimizers.Sgd, [Metrics.Accuracy]) { Output = null };
        learn.Fit(2, lr: 0.5);
        return learn;
    }

    [Fact]
    public void ReportHoldsTheEpochTableCurvesAndInterpretation()
    {
        Learner learn = Trained();
        string html = HtmlReport.Render(learn, new HtmlReportOptions(Command: "train <x> & y"));
        foreach (string id in new[] { "run", "data", "model", "training", "interpretation" }) Assert.Contains($"<section id=\"{id}\"", html);
        foreach (string id in new[] { "class-counts", "epochs-fit-1", "confusion", "class-report", "top-losses" }) Assert.Contains($"id=\"{id}\"", html);
        // Every epoch's values, as the epoch table prints them.
        foreach (double[] row in learn.Recorder.Values)
            foreach (double v in row) Assert.Contains($"<td>{v.ToString("F6", CultureInfo.InvariantCulture)}</td>", html);
        Assert.Equal(3, html.Split("<svg").Length - 1); // loss, learning rate, metrics
        Assert.Contains("train &lt;x&gt; &amp; y", html);
        Assert.Contains("data:image/png;base64,", html);
    }

    [Fact]
    public void NamesAreEscapedAndNothingLoadsFromOutside()
    {
        string html = HtmlReport.Render(Trained(), new HtmlReportOptions());
        Assert.DoesNotContain(Hostile, html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.DoesNotContain("<script", html);
        Assert.Contains("default-src 'none'", html);
        // Every src and href is a data: URI: nothing from the network or the disk.
        foreach (string attr in new[] { "src=\"", "href=\"" })
            for (int i = html.IndexOf(attr, StringComparison.Ordinal); i >= 0; i = html.IndexOf(attr, i + 1, StringComparison.Ordinal))
                Assert.StartsWith("data:", html[(i + attr.Length)..]);
    }

    [Fact]
    public void FineTuneShowsBothFitsAndTheFileIsWrittenAtomically()
    {
        Learner learn = Trained();
        learn.Fit(1, lr: 0.1); // a second fit, as fine_tune's unfrozen one
        using var dir = new TempDir();
        string path = Path.Combine(dir, "run.html");
        learn.Report(path);
        string html = File.ReadAllText(path);
        Assert.Contains("id=\"epochs-fit-1\"", html);
        Assert.Contains("id=\"epochs-fit-2\"", html);
        Assert.Equal(3, learn.Recorder.History.Count);
        Assert.Equal([path], Directory.GetFiles(dir));
        Assert.Throws<DirectoryNotFoundException>(() => learn.Report(Path.Combine(dir, "missing", "r.html")));
    }
}
