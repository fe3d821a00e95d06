using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using SharpGrad.Data;
using SharpGrad.IO;
using SharpGrad.Learning;

namespace SharpGrad.Vision.Reports;

/// <summary>What goes into <see cref="HtmlReport.Report"/>.</summary>
/// <param name="Title">The page title; default "SharpGrad training report".</param>
/// <param name="Command">The command that ran the training, shown as given (the CLI passes its command line).</param>
/// <param name="SamplesPerClass">Sample training images shown per class.</param>
/// <param name="TopLosses">Validation items with the largest losses shown, with their images.</param>
/// <param name="MaxClassesShown">Classes shown with samples (the counts table lists all).</param>
public sealed record HtmlReportOptions(string? Title = null, string? Command = null, int SamplesPerClass = 4, int TopLosses = 9, int MaxClassesShown = 20);

/// <summary>
/// One self-contained HTML file about a training run (<c>learn.Report(path)</c>, <c>sharpgrad train --report</c>): the
/// command and versions, the data (classes, counts, sample images), the model summary, the epoch table of every fit,
/// loss, learning-rate and metric curves, and what the model gets wrong (confusion matrix, most confused pairs,
/// per-class precision/recall/F1, top losses with their images). Inline CSS, SVG charts and <c>data:</c> images, no
/// script, and a content security policy that forbids loading anything, so it opens anywhere, offline.
/// </summary>
public static class HtmlReport
{
    /// <summary>Writes the report of <paramref name="learn"/>'s run so far to <paramref name="path"/> (atomically).</summary>
    /// <exception cref="IOException">The file cannot be written; the message names it.</exception>
    public static void Report(this Learner learn, string path, HtmlReportOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(learn);
        AtomicFile.CheckWritable(path);
        string html = Render(learn, options ?? new HtmlReportOptions(), cancellation);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            writer.Write(html);
        });
    }

    /// <summary>The report as a string (see <see cref="Report"/>).</summary>
    public static string Render(Learner learn, HtmlReportOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(learn);
        ArgumentNullException.ThrowIfNull(options);
        string title = options.Title ?? "SharpGrad training report";
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
          .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">")
          .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
          .Append("<title>").Append(Html.Escape(title)).Append("</title><style>").Append(Css).Append("</style></head><body>")
          .Append("<h1>").Append(Html.Escape(title)).Append("</h1>");
        Run(sb, options);
        Data(sb, learn, options);
        sb.Append("<section id=\"model\"><h2>Model</h2><pre>").Append(Html.Escape(Summary(learn))).Append("</pre></section>");
        Epochs(sb, learn);
        cancellation.ThrowIfCancellationRequested();
        Interpretation(sb, learn, options, cancellation);
        return sb.Append("</body></html>").ToString();
    }

    private const string Css =
        "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}" +
        "h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}" +
        "table{border-collapse:collapse;margin:.6em 0}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right;font-variant-numeric:tabular-nums}" +
        "th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}caption{text-align:left;font-weight:600;padding:.3em 0}" +
        "pre{background:#f8f8f8;padding:.8em;overflow-x:auto;font-size:.85em}" +
        ".grid{display:flex;flex-wrap:wrap;gap:.6em}.grid figure{margin:0;text-align:center;font-size:.8em}" +
        "img{image-rendering:pixelated;border:1px solid #ccc}svg{max-width:100%;height:auto;font-size:11px}svg .t{font-size:13px;font-weight:600}" +
        ".cm td{min-width:2.5em}.note{color:#666}";

    private static void Run(StringBuilder sb, HtmlReportOptions options)
    {
        var rows = new List<IReadOnlyList<string>>();
        if (options.Command is { } command) rows.Add(["command", $"<code>{Html.Escape(command)}</code>"]);
        rows.Add(["SharpGrad", Html.Escape(typeof(Tensor).Assembly.GetName().Version?.ToString(3) ?? "?")]);
        rows.Add([".NET", Html.Escape(RuntimeInformation.FrameworkDescription)]);
        rows.Add(["OS", Html.Escape($"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})")]);
        rows.Add(["processors", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)]);
        rows.Add(["written", Html.Escape(DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture))]);
        sb.Append("<section id=\"run\"><h2>Run</h2>");
        Html.Table(sb, "run-table", null, rows);
        sb.Append("</section>");
    }

    /// <summary>Each item's label index, without decoding images where the dataset knows its labels.</summary>
    private static IReadOnlyList<long>? Labels(Dataset d)
    {
        if (d is IImageDataset images) return images.Labels;
        if (d is TensorDataset { Y: { DType: DType.Int64, NDim: 1 } y }) return y.ToArray<long>();
        return null;
    }

    private static void Data(StringBuilder sb, Learner learn, HtmlReportOptions options)
    {
        IReadOnlyList<string> vocab = learn.Dls.Vocab;
        Dataset train = learn.Dls.Train.Dataset, valid = learn.Dls.Valid.Dataset;
        sb.Append("<section id=\"data\"><h2>Data</h2>");
        string shape = train is IImageDataset img ? $", images of {img.Channels}x{img.Height}x{img.Width}{(img.ItemTransform is { } t ? $" ({t})" : "")}" : "";
        sb.Append("<p>").Append(Html.Escape($"{train.Count:N0} training and {valid.Count:N0} validation items{shape}, {vocab.Count} classes.")).Append("</p>");
        IReadOnlyList<long>? trainLabels = Labels(train), validLabels = Labels(valid);
        if (trainLabels is not null && vocab.Count > 0)
        {
            long[] Count(IReadOnlyList<long>? labels)
            {
                var c = new long[vocab.Count];
                if (labels is not null) foreach (long l in labels) if (l >= 0 && l < c.Length) c[l]++;
                return c;
            }
            long[] tc = Count(trainLabels), vc = Count(validLabels);
            Html.Table(sb, "class-counts", ["class", "training", "validation"],
                vocab.Select((name, i) => (IReadOnlyList<string>)[Html.Escape(name), tc[i].ToString("N0", CultureInfo.InvariantCulture),
                    validLabels is null ? "?" : vc[i].ToString("N0", CultureInfo.InvariantCulture)]));

            // A few samples of each class, as the model sees them before augmentation.
            sb.Append("<h3>Samples</h3>");
            foreach (int cls in Enumerable.Range(0, Math.Min(vocab.Count, options.MaxClassesShown)))
            {
                var items = Enumerable.Range(0, trainLabels.Count).Where(i => trainLabels[i] == cls).Take(options.SamplesPerClass).ToList();
                if (items.Count == 0) continue;
                sb.Append("<div class=\"grid\">");
                foreach (int i in items)
                {
                    Tensor x = train[i].X;
                    if (x.NDim is not (2 or 3)) break;
                    sb.Append("<figure>").Append(Html.Image(x, $"{vocab[cls]} #{i}")).Append("<figcaption>").Append(Html.Escape(vocab[cls])).Append("</figcaption></figure>");
                }
                sb.Append("</div>");
            }
            if (vocab.Count > options.MaxClassesShown) sb.Append("<p class=\"note\">").Append(Html.Escape($"Samples of the first {options.MaxClassesShown} classes.")).Append("</p>");
        }
        sb.Append("</section>");
    }

    private static string Summary(Learner learn)
    {
        try
        {
            return learn.Summary();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return $"(no summary: {e.Message})\n{learn.Model}";
        }
    }

    private static void Epochs(StringBuilder sb, Learner learn)
    {
        List<EpochRecord> history = learn.Recorder.History;
        sb.Append("<section id=\"training\"><h2>Training</h2>");
        if (history.Count == 0)
        {
            sb.Append("<p class=\"note\">No epoch has run yet.</p></section>");
            return;
        }
        foreach (var fit in history.GroupBy(r => r.Fit))
        {
            var names = fit.First().Names;
            int n = fit.Key;
            Html.Table(sb, $"epochs-fit-{n}", ["epoch", .. names, "time"],
                fit.Select(r => (IReadOnlyList<string>)[r.Epoch.ToString(CultureInfo.InvariantCulture), .. r.Values.Select(Html.Number), Html.Duration(r.Time)]),
                history.Select(h => h.Fit).Distinct().Count() > 1 ? $"Fit {n}" : null);
        }

        List<double> losses = learn.Recorder.LossHistory, lrs = learn.Recorder.LrHistory;
        var iterations = Enumerable.Range(1, losses.Count).Select(i => (double)i).ToList();
        var ends = history.Select(h => (double)h.Iteration).ToList();
        var validLoss = history.Select(h => h.Values.Length > 1 ? h.Values[1] : double.NaN).ToList();
        sb.Append("<div class=\"grid\">");
        sb.Append(SvgChart.Render("Loss", "training batch", "loss",
            [new SvgChart.Series("train (smoothed)", iterations, losses), new SvgChart.Series("valid", ends, validLoss, Markers: true)]));
        sb.Append(SvgChart.Render("Learning rate", "training batch", "lr", [new SvgChart.Series("lr", iterations, lrs)], logY: lrs.All(v => v > 0) && lrs.Count > 0 && lrs.Max() / lrs.Min() > 20));
        var metricSeries = new List<SvgChart.Series>();
        var epochIndex = Enumerable.Range(1, history.Count).Select(i => (double)i).ToList();
        for (int m = 2; m < history[^1].Names.Count; m++)
            metricSeries.Add(new SvgChart.Series(history[^1].Names[m], epochIndex, history.Select(h => m < h.Values.Length ? h.Values[m] : double.NaN).ToList(), Markers: true));
        if (metricSeries.Count > 0) sb.Append(SvgChart.Render("Validation metrics", "epoch (over all fits)", "value", metricSeries));
        sb.Append("</div></section>");
    }

    private static void Interpretation(StringBuilder sb, Learner learn, HtmlReportOptions options, CancellationToken cancellation)
    {
        sb.Append("<section id=\"interpretation\"><h2>What the model gets wrong</h2>");
        ClassificationInterpretation interp;
        try
        {
            interp = ClassificationInterpretation.FromLearner(learn, cancellation: cancellation);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            sb.Append("<p class=\"note\">").Append(Html.Escape($"No interpretation: {e.Message}")).Append("</p></section>");
            return;
        }
        IReadOnlyList<string> vocab = interp.Vocab;
        long[,] cm = interp.ConfusionMatrix();
        long max = 1;
        foreach (long v in cm) max = Math.Max(max, v);
        sb.Append("<h3>Confusion matrix (rows: actual, columns: predicted)</h3><table id=\"confusion\" class=\"cm\"><thead><tr><th>actual \\ predicted</th>");
        foreach (string c in vocab) sb.Append("<th>").Append(Html.Escape(c)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        for (int a = 0; a < vocab.Count; a++)
        {
            sb.Append("<tr><th>").Append(Html.Escape(vocab[a])).Append("</th>");
            for (int p = 0; p < vocab.Count; p++)
            {
                double shade = (double)cm[a, p] / max;
                string bg = a == p ? $"rgba(31,119,180,{shade * 0.8:F2})" : $"rgba(214,39,40,{shade * 0.8:F2})";
                sb.Append(CultureInfo.InvariantCulture, $"<td style=\"background:{bg}\">{cm[a, p]}</td>");
            }
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");

        var confused = interp.MostConfused();
        sb.Append("<h3>Most confused</h3>");
        if (confused.Count == 0) sb.Append("<p>No validation item is misclassified.</p>");
        else Html.Table(sb, "most-confused", ["actual", "predicted", "count"],
            confused.Take(20).Select(c => (IReadOnlyList<string>)[Html.Escape(c.Actual), Html.Escape(c.Predicted), c.Count.ToString(CultureInfo.InvariantCulture)]));

        Html.Table(sb, "class-report", ["class", "precision", "recall", "f1-score", "support"],
            interp.Scores().Select(s => (IReadOnlyList<string>)[Html.Escape(s.Class), s.Precision.ToString("F4", CultureInfo.InvariantCulture),
                s.Recall.ToString("F4", CultureInfo.InvariantCulture), s.F1.ToString("F4", CultureInfo.InvariantCulture), s.Support.ToString(CultureInfo.InvariantCulture)]),
            "Per class (scikit-learn's classification report)");

        int k = Math.Min(options.TopLosses, interp.Losses.Numel);
        if (k > 0)
        {
            (float[] losses, int[] indices) = interp.TopLosses(k);
            float[] probs = interp.Probabilities.Contiguous().ToArray<float>();
            long[] predicted = interp.Predictions.ToArray<long>(), actual = interp.Targets.Long().ToArray<long>();
            int classes = interp.Probabilities.Size(1);
            sb.Append("<h3>Top losses</h3><p class=\"note\">predicted / actual / loss / probability of the actual class</p><div class=\"grid\" id=\"top-losses\">");
            for (int j = 0; j < k; j++)
            {
                int i = indices[j];
                string caption = string.Create(CultureInfo.InvariantCulture,
                    $"{vocab[(int)predicted[i]]} / {vocab[(int)actual[i]]} / {losses[j]:F2} / {probs[i * classes + actual[i]]:F2}");
                Tensor x = interp.Data.Dataset[i].X;
                string picture = x.NDim is 2 or 3 ? Html.Image(x, caption) : "";
                sb.Append("<figure>").Append(picture).Append("<figcaption>").Append(Html.Escape(caption)).Append("</figcaption></figure>");
            }
            sb.Append("</div>");
        }
        sb.Append("</section>");
    }
}
