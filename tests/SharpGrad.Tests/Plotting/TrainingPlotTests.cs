using SharpGrad.Plotting;
using SkiaSharp;

namespace SharpGrad.Tests.Plotting;

public sealed class TrainingPlotTests : IDisposable
{
    private static readonly SKColor Blue = new(0x1f, 0x77, 0xb4);
    private static readonly SKColor Orange = new(0xff, 0x7f, 0x0e);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static double[] TrainLosses(int n) =>
        Enumerable.Range(0, n).Select(i => 2 * Math.Exp(-i / 40.0) + 0.2 + 0.05 * Math.Sin(i)).ToArray();

    private static (double[] Lrs, double[] Losses) Finder(int n = 100)
    {
        double[] lrs = Enumerable.Range(0, n).Select(i => Math.Pow(10, -7 + 8.0 * i / (n - 1))).ToArray();
        double[] losses = lrs.Select(lr => 2.3 - 1.5 * Math.Exp(-Math.Pow(Math.Log10(lr) + 2, 2) / 2) + Math.Max(0, Math.Log10(lr)) * 4).ToArray();
        return (lrs, losses);
    }

    [Fact]
    public void Loss_draws_train_and_valid_lines()
    {
        string path = _folder.File("loss.png");
        Plots.Loss(path, TrainLosses(200), [(100, 0.9), (200, 0.5)]);
        Png png = Png.Load(path).AssertPlot(600, 400);
        Assert.True(png.Count(c => Png.IsNear(c, Blue)) > 100, "train line missing");
        Assert.True(png.Count(c => Png.IsNear(c, Orange)) > 50, "valid line missing");
    }

    [Fact]
    public void Loss_without_validation_has_no_valid_line()
    {
        string path = _folder.File("train-only.png");
        Plots.Loss(path, TrainLosses(50), skipStart: 0, title: "Loss");
        Png png = Png.Load(path).AssertPlot(600, 400);
        Assert.Equal(0, png.Count(c => Png.IsNear(c, Orange)));
    }

    [Fact]
    public void Loss_single_epoch_valid_point_is_visible()
    {
        string path = _folder.File("one-epoch.png");
        Plots.Loss(path, TrainLosses(30), [(30, 0.8)]);
        Assert.True(Png.Load(path).Count(c => Png.IsNear(c, Orange)) > 5, "a single valid point should still be drawn");
    }

    [Fact]
    public void Loss_validation_before_skip_start_is_left_out()
    {
        string path = _folder.File("skipped.png");
        Plots.Loss(path, TrainLosses(30), [(3, 0.8)], skipStart: 5);
        Assert.Equal(0, Png.Load(path).Count(c => Png.IsNear(c, Orange)));
    }

    [Fact]
    public void Loss_rejects_bad_input()
    {
        string p = _folder.File("x.png");
        Assert.Equal("trainLossPerBatch", Assert.Throws<ArgumentException>(() => Plots.Loss(p, [])).ParamName);
        Assert.Throws<ArgumentNullException>(() => Plots.Loss(p, null!));
        Assert.Equal("skipStart", Assert.Throws<ArgumentOutOfRangeException>(() => Plots.Loss(p, TrainLosses(5))).ParamName);
        Assert.Equal("skipStart", Assert.Throws<ArgumentOutOfRangeException>(() => Plots.Loss(p, TrainLosses(10), skipStart: -1)).ParamName);
        var nan = Assert.Throws<ArgumentException>(() => Plots.Loss(p, [1, 2, double.NaN, double.NaN], skipStart: 2));
        Assert.Contains("NaN", nan.Message);
        Assert.Equal("validLossPerEpoch",
            Assert.Throws<ArgumentOutOfRangeException>(() => Plots.Loss(p, TrainLosses(10), [(-1, 0.5)])).ParamName);
        Assert.False(File.Exists(p));
    }

    [Fact]
    public void LrFind_marks_the_suggestion_with_a_red_dot()
    {
        var (lrs, losses) = Finder();
        string path = _folder.File("lr.png");
        Plots.LrFind(path, lrs, losses, suggestion: 3e-3);
        Png png = Png.Load(path).AssertPlot(600, 400);
        Assert.True(png.Count(Png.IsRed) >= 20, "no red dot for the suggestion");
        Assert.True(png.Count(c => Png.IsNear(c, Blue)) > 100);
    }

    [Fact]
    public void LrFind_without_suggestion_has_no_red()
    {
        var (lrs, losses) = Finder();
        string path = _folder.File("lr-plain.png");
        Plots.LrFind(path, lrs, losses);
        Assert.Equal(0, Png.Load(path).AssertPlot(600, 400).Count(Png.IsRed));
    }

    [Fact]
    public void LrFind_tolerates_a_diverged_tail()
    {
        var (lrs, losses) = Finder();
        losses[^1] = double.NaN;
        losses[^2] = double.PositiveInfinity;
        string path = _folder.File("lr-nan.png");
        Plots.LrFind(path, lrs, losses, suggestion: 1e-2, suggestionName: "minimum", skipEnd: 0);
        Png.Load(path).AssertPlot(600, 400);
    }

    [Fact]
    public void LrFind_rejects_bad_input()
    {
        var (lrs, losses) = Finder(20);
        string p = _folder.File("x.png");
        Assert.Contains("20 lrs values but 19 losses values",
            Assert.Throws<ArgumentException>(() => Plots.LrFind(p, lrs, losses[..19])).Message);
        Assert.Throws<ArgumentException>(() => Plots.LrFind(p, [], []));
        double[] negative = (double[])lrs.Clone();
        negative[4] = -1e-3;
        Assert.Contains("lrs[4]", Assert.ThrowsAny<ArgumentException>(() => Plots.LrFind(p, negative, losses)).Message);
        Assert.Equal("suggestion", Assert.Throws<ArgumentOutOfRangeException>(() => Plots.LrFind(p, lrs, losses, suggestion: 100)).ParamName);
        Assert.Equal("suggestion", Assert.Throws<ArgumentOutOfRangeException>(() => Plots.LrFind(p, lrs, losses, suggestion: 0)).ParamName);
        Assert.Equal("suggestion", Assert.Throws<ArgumentOutOfRangeException>(() => Plots.LrFind(p, lrs, losses, suggestion: double.NaN)).ParamName);
        Assert.Equal("skipEnd", Assert.Throws<ArgumentOutOfRangeException>(() => Plots.LrFind(p, lrs, losses, skipEnd: 20)).ParamName);
        Assert.Equal("skipEnd", Assert.Throws<ArgumentOutOfRangeException>(() => Plots.LrFind(p, lrs, losses, skipEnd: -1)).ParamName);
        Assert.Throws<ArgumentNullException>(() => Plots.LrFind(p, lrs, losses, 1e-3, suggestionName: null!));
        Assert.False(File.Exists(p));
    }
}
