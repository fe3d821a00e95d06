using SharpGrad.Plotting;
using SkiaSharp;

namespace SharpGrad.Tests.Plotting;

public sealed class LinesTests : IDisposable
{
    private static readonly SKColor Blue = new(0x1f, 0x77, 0xb4);
    private static readonly SKColor Orange = new(0xff, 0x7f, 0x0e);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static Series Line(string label, int n, Func<double, double> f, double x0 = 0, double step = 1)
    {
        double[] xs = Enumerable.Range(0, n).Select(i => x0 + i * step).ToArray();
        return new Series(label, xs, xs.Select(f).ToArray());
    }

    [Fact]
    public void Two_series_get_two_colours_and_a_legend()
    {
        string one = _folder.File("one.png"), two = _folder.File("two.png");
        Plots.Lines(one, [Line("a", 50, x => x)], title: "t", xLabel: "x", yLabel: "y");
        Plots.Lines(two, [Line("a", 50, x => x), Line("b", 50, x => 50 - x)], title: "t", xLabel: "x", yLabel: "y");

        Png png1 = Png.Load(one).AssertPlot(600, 400);
        Png png2 = Png.Load(two).AssertPlot(600, 400);
        Assert.True(png2.Count(c => Png.IsNear(c, Blue)) > 100);
        Assert.True(png2.Count(c => Png.IsNear(c, Orange)) > 100);
        Assert.Equal(0, png1.Count(c => Png.IsNear(c, Orange)));
        // The legend adds its labels and swatches: more dark (text) pixels with two series.
        Assert.True(png2.Count(Png.IsDark) > png1.Count(Png.IsDark));
    }

    [Fact]
    public void Log_x_axis_draws_positive_data_over_many_decades()
    {
        string path = _folder.File("log.png");
        double[] lrs = Enumerable.Range(0, 60).Select(i => Math.Pow(10, -6 + 7.0 * i / 59)).ToArray();
        Plots.Lines(path, [new Series("loss", lrs, lrs.Select(lr => Math.Abs(Math.Log10(lr) + 2)).ToArray())], logX: true, xLabel: "lr");
        Png.Load(path).AssertPlot(600, 400);
    }

    [Fact]
    public void Log_x_axis_draws_a_range_narrower_than_a_decade()
    {
        string path = _folder.File("narrow.png");
        Plots.Lines(path, [new Series("a", [1e-3, 1.5e-3, 2e-3], [3, 2, 1])], logX: true);
        Png.Load(path).AssertPlot(600, 400);
    }

    [Fact]
    public void Nan_points_break_the_line_but_are_allowed()
    {
        string path = _folder.File("gaps.png");
        Plots.Lines(path, [new Series("a", [0, 1, 2, 3, 4], [1, double.NaN, 3, double.PositiveInfinity, 5])]);
        Png.Load(path).AssertPlot(600, 400);
    }

    [Fact]
    public void Constant_series_is_drawn()
    {
        string path = _folder.File("flat.png");
        Plots.Lines(path, [new Series("a", [1, 1, 1], [0, 0, 0])]);
        Png.Load(path).AssertPlot(600, 400);
    }

    [Fact]
    public void Empty_list_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Plots.Lines(_folder.File("x.png"), []));
        Assert.Equal("series", e.ParamName);
    }

    [Fact]
    public void Null_list_and_null_series_are_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => Plots.Lines(_folder.File("x.png"), null!));
        var e = Assert.Throws<ArgumentNullException>(() => Plots.Lines(_folder.File("x.png"), [Line("a", 3, x => x), null!]));
        Assert.Contains("series[1]", e.Message);
        Assert.Throws<ArgumentNullException>(() => Plots.Lines(_folder.File("x.png"), [new Series("a", null!, [1.0])]));
    }

    [Fact]
    public void Empty_series_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Plots.Lines(_folder.File("x.png"), [new Series("empty", [], [])]));
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Plots.Lines(_folder.File("x.png"), [new Series("a", [1, 2, 3], [1, 2])]));
        Assert.Contains("3 X values but 2 Y values", e.Message);
    }

    [Fact]
    public void Nan_only_series_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            Plots.Lines(_folder.File("x.png"), [Line("ok", 3, x => x), new Series("nan", [1, 2], [double.NaN, double.NaN])]));
        Assert.Contains("series[1] ('nan')", e.Message);
        Assert.Contains("finite", e.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1e-3)]
    public void Non_positive_x_on_a_log_axis_is_rejected(double bad)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() =>
            Plots.Lines(_folder.File("x.png"), [new Series("a", [1e-3, bad, 1], [1, 2, 3])], logX: true));
        Assert.Contains("log", e.Message);
        Assert.Contains("X[1]", e.Message);
    }
}
