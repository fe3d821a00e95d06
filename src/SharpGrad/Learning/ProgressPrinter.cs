using System.Diagnostics;
using System.Globalization;
using SharpGrad.Reporting;

namespace SharpGrad.Learning;

/// <summary>
/// Prints fastai's epoch table (<c>epoch  train_loss  valid_loss  accuracy  time</c>, one row per epoch) to the learner's
/// output, and a live progress bar for each pass when the console is a terminal.
/// </summary>
public sealed class ProgressPrinter : Callback
{
    private readonly Stopwatch _clock = new();
    private IProgressTask? _bar;

    /// <inheritdoc/>
    public override int Order => 70;

    private string[] Columns => ["epoch", .. Learn.Recorder.MetricNames, "time"];

    private static int Width(string name) => Math.Max(name.Length, 10) + 2;

    /// <summary>The cells padded to their columns' widths; a cell as wide as its column or wider still gets one space after it.</summary>
    internal static string Row(IReadOnlyList<string> cells, IReadOnlyList<string> columns) =>
        string.Concat(cells.Select((c, i) => c.Length < Width(columns[i]) ? c.PadRight(Width(columns[i])) : c + " ")).TrimEnd();

    /// <inheritdoc/>
    public override void BeforeFit()
    {
        if (Learn.Output is null) return;
        Learn.Output.WriteLine(Row(Columns, Columns));
    }

    /// <inheritdoc/>
    public override void BeforeEpoch() => _clock.Restart();

    /// <inheritdoc/>
    public override void BeforeTrain() => StartBar("train", Learn.Dls.Train.Count);

    /// <inheritdoc/>
    public override void BeforeValidate() => StartBar("valid", Learn.Dls.Valid.Count);

    private void StartBar(string pass, int batches)
    {
        _bar?.Dispose();
        _bar = Learn.Output is null ? null : Learn.Progress.Start($"epoch {Learn.Epoch + 1}/{Learn.NEpoch} {pass}", batches, transient: true);
    }

    /// <inheritdoc/>
    public override void AfterBatch() => _bar?.Advance(1);

    /// <inheritdoc/>
    public override void AfterTrain() => EndBar();

    /// <inheritdoc/>
    public override void AfterValidate() => EndBar();

    private void EndBar()
    {
        _bar?.Complete();
        _bar?.Dispose();
        _bar = null;
    }

    /// <inheritdoc/>
    public override void AfterEpoch()
    {
        EndBar();
        if (Learn.Output is null || Learn.Recorder.Values.Count == 0) return;
        double[] values = Learn.Recorder.Values[^1];
        string[] cols = Columns;
        var cells = new List<string> { Learn.Epoch.ToString(CultureInfo.InvariantCulture) };
        cells.AddRange(values.Select(v => double.IsNaN(v) ? "None" : v.ToString("F6", CultureInfo.InvariantCulture)));
        TimeSpan t = _clock.Elapsed;
        cells.Add($"{(int)t.TotalMinutes:D2}:{t.Seconds:D2}");
        Learn.Output.WriteLine(Row(cells, cols));
    }

    /// <inheritdoc/>
    public override void AfterFit() => EndBar();
}
