using SharpGrad.Plotting;
using SkiaSharp;

namespace SharpGrad.Tests.Plotting;

public sealed class FunctionTests : IDisposable
{
    private static readonly SKColor Blue = new(0x1f, 0x77, 0xb4);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Fact]
    public void Sigmoid_is_drawn_at_the_default_size_with_a_blue_curve_and_no_red()
    {
        string path = _folder.File("sigmoid.png");
        Plots.Function(path, Sigmoid, title: "Sigmoid", min: -4, max: 4);

        Png png = Png.Load(path).AssertPlot(600, 400);
        Assert.True(png.Count(c => Png.IsNear(c, Blue)) > 200, "the curve (tab10 blue) is missing");
        Assert.Equal(0, png.Count(Png.IsRed));
    }

    [Fact]
    public void Marked_point_is_a_red_dot()
    {
        string path = _folder.File("square.png");
        Plots.Function(path, x => x * x, point: (-1.5, 2.25));

        Png png = Png.Load(path).AssertPlot(600, 400);
        Assert.True(png.Count(Png.IsRed) >= 20, "no red dot for the marked point");
        // The dot lies left of centre (x = -1.5 on [-2, 2]) and above the middle (y = 2.25 on [0, 4]).
        var red = Enumerable.Range(0, png.Height).SelectMany(y => Enumerable.Range(0, png.Width).Select(x => (x, y)))
            .Where(p => Png.IsRed(png.At(p.x, p.y))).ToList();
        Assert.InRange(red.Average(p => p.x), 60, 220);
        Assert.InRange(red.Average(p => p.y), 100, 220);
    }

    [Fact]
    public void Title_draws_text_above_the_frame()
    {
        string with = _folder.File("with-title.png"), without = _folder.File("without-title.png");
        Plots.Function(with, Sigmoid, title: "Sigmoid");
        Plots.Function(without, Sigmoid);

        Png a = Png.Load(with), b = Png.Load(without);
        int darkAboveWith = a.Count(Png.IsDark, 0, a.FrameTop() - 10);
        int darkAboveWithout = b.Count(Png.IsDark, 0, b.FrameTop() - 10);
        Assert.True(darkAboveWith > 50, $"title text not drawn ({darkAboveWith} dark pixels above the frame)");
        Assert.Equal(0, darkAboveWithout);
    }

    [Fact]
    public void Axis_labels_are_drawn_outside_the_tick_labels()
    {
        string with = _folder.File("labels.png"), without = _folder.File("no-labels.png");
        Plots.Function(with, Sigmoid, xLabel: "iteration", yLabel: "loss");
        Plots.Function(without, Sigmoid, xLabel: null, yLabel: null);

        Png a = Png.Load(with), b = Png.Load(without);
        Assert.True(a.Height - a.FrameBottom() > b.Height - b.FrameBottom() + 10, "no room made for the x label");
        Assert.True(a.FrameLeft() > b.FrameLeft() + 10, "no room made for the y label");
        Assert.True(a.Count(Png.IsDark, a.FrameBottom() + 1) > b.Count(Png.IsDark, b.FrameBottom() + 1) + 30, "x label text missing");
    }

    [Fact]
    public void Custom_size_is_respected()
    {
        string path = _folder.File("small.png");
        Plots.Function(path, Math.Sin, -Math.PI, Math.PI, width: 320, height: 240);
        Png.Load(path).AssertPlot(320, 240);
    }

    [Fact]
    public void Curve_with_gaps_is_drawn()
    {
        string path = _folder.File("log.png");
        Plots.Function(path, Math.Log, -1, 3); // NaN / -inf for x <= 0
        Png.Load(path).AssertPlot(600, 400);
    }

    [Theory]
    [InlineData(2.0, 2.0)]
    [InlineData(3.0, -3.0)]
    [InlineData(double.NaN, 1.0)]
    [InlineData(0.0, double.PositiveInfinity)]
    public void Bad_range_is_rejected(double min, double max)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => Plots.Function(_folder.File("x.png"), Sigmoid, min, max));
        Assert.True(e.ParamName is "min" or "max", e.ParamName);
    }

    [Fact]
    public void Null_function_is_rejected()
    {
        var e = Assert.Throws<ArgumentNullException>(() => Plots.Function(_folder.File("x.png"), null!));
        Assert.Equal("f", e.ParamName);
    }

    [Fact]
    public void Function_finite_nowhere_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Plots.Function(_folder.File("x.png"), _ => double.NaN));
        Assert.Equal("f", e.ParamName);
        Assert.Contains("finite", e.Message);
        Assert.False(File.Exists(_folder.File("x.png")));
    }

    [Fact]
    public void Non_finite_point_is_rejected()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => Plots.Function(_folder.File("x.png"), Sigmoid, point: (double.NaN, 1)));
        Assert.Equal("point", e.ParamName);
    }
}
