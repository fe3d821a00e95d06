using System.Globalization;

namespace SharpGrad.Learning;

/// <summary>fastai's <c>CSVLogger</c>: writes the epoch table to a CSV file (a header row, then one row per epoch), appending to an existing file with <paramref name="append"/>. Each row is flushed as soon as the epoch ends.</summary>
public sealed class CsvLogger(string fname = "history.csv", bool append = false) : Callback
{
    private StreamWriter? _file;

    /// <summary>The CSV file.</summary>
    public string Path { get; } = fname;

    /// <inheritdoc/>
    public override int Order => 60;

    /// <inheritdoc/>
    public override void BeforeFit()
    {
        bool exists = File.Exists(Path) && new FileInfo(Path).Length > 0;
        _file = new StreamWriter(Path, append);
        if (!(append && exists)) _file.WriteLine(string.Join(',', ["epoch", .. Learn.Recorder.MetricNames, "time"]));
        _file.Flush();
    }

    private System.Diagnostics.Stopwatch _clock = new();

    /// <inheritdoc/>
    public override void BeforeEpoch() => _clock = System.Diagnostics.Stopwatch.StartNew();

    /// <inheritdoc/>
    public override void AfterEpoch()
    {
        if (_file is null || Learn.Recorder.Values.Count == 0) return;
        TimeSpan t = _clock.Elapsed;
        IEnumerable<string> cells = Learn.Recorder.Values[^1].Select(v => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture));
        _file.WriteLine(string.Join(',', [Learn.Epoch.ToString(CultureInfo.InvariantCulture), .. cells, $"{(int)t.TotalMinutes:D2}:{t.Seconds:D2}"]));
        _file.Flush();
    }

    /// <inheritdoc/>
    public override void AfterFit()
    {
        _file?.Dispose();
        _file = null;
    }

    /// <summary>The logged rows as read back from the file (header first).</summary>
    public IReadOnlyList<string[]> Read() => File.ReadAllLines(Path).Select(l => l.Split(',')).ToList();
}
