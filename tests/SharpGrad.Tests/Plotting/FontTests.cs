using SharpGrad.Plotting;
namespace SharpGrad.Tests.Plotting;

[CollectionDefinition(nameof(GlobalFontState), DisableParallelization = true)]
public sealed class GlobalFontState;

/// <summary>Touches ScottPlot's process-wide font state, so it runs alone.</summary>
[Collection(nameof(GlobalFontState))]
public sealed class FontTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Text_still_renders_after_ScottPlot_fonts_are_reset()
    {
        Plots.Function(_folder.File("before.png"), Math.Tanh, title: "Tanh");
        ScottPlot.Fonts.Reset();
        string path = _folder.File("after.png");
        Plots.Function(path, Math.Tanh, title: "Tanh");
        Png png = Png.Load(path);
        Assert.True(png.Count(Png.IsDark, 0, png.FrameTop() - 10) > 50, "title text missing after Fonts.Reset()");
    }
}
