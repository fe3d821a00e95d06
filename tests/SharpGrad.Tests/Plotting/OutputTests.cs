using SharpGrad.Plotting;
namespace SharpGrad.Tests.Plotting;

public sealed class OutputTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static double Square(double x) => x * x;

    private void AssertNoTempFiles() =>
        Assert.Empty(Directory.GetFiles(_folder.Path, "*.sharpgrad-tmp-*", SearchOption.AllDirectories));

    [Fact]
    public void Missing_folders_are_created()
    {
        string path = Path.Combine(_folder.Path, "a", "b", "plot.png");
        Plots.Function(path, Square);
        Png.Load(path).AssertPlot(600, 400);
        AssertNoTempFiles();
    }

    [Fact]
    public void Existing_file_is_replaced_and_no_temp_file_is_left()
    {
        string path = _folder.File("replace.png");
        File.WriteAllText(path, "not a png, and longer than nothing");
        Plots.Function(path, Square, width: 200, height: 150);
        Png.Load(path).AssertPlot(200, 150);
        Plots.Function(path, Square, width: 300, height: 100);
        Png.Load(path).AssertPlot(300, 100);
        Assert.Single(Directory.GetFiles(_folder.Path));
        AssertNoTempFiles();
    }

    [Fact]
    public void Failed_validation_leaves_an_existing_file_untouched()
    {
        string path = _folder.File("keep.png");
        File.WriteAllText(path, "old");
        Assert.ThrowsAny<ArgumentException>(() => Plots.Lines(path, []));
        Assert.Equal("old", File.ReadAllText(path));
        AssertNoTempFiles();
    }

    [Fact]
    public void Every_kind_of_plot_writes_atomically()
    {
        string folder = Path.Combine(_folder.Path, "all");
        Plots.Function(Path.Combine(folder, "f.png"), Square);
        Plots.Lines(Path.Combine(folder, "l.png"), [new Series("a", [1, 2], [3, 4])]);
        Plots.Loss(Path.Combine(folder, "loss.png"), [3, 2, 1], skipStart: 0);
        Plots.LrFind(Path.Combine(folder, "lr.png"), [1e-4, 1e-3, 1e-2], [2, 1, 3], 1e-3, skipEnd: 0);
        Plots.Images(Path.Combine(folder, "i.png"), [new float[4]], 2, 2);
        Plots.Image(Path.Combine(folder, "one.png"), new float[4], 2, 2);
        Assert.Equal(6, Directory.GetFiles(folder).Length);
        AssertNoTempFiles();
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_path_is_rejected(string path)
    {
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => Plots.Function(path, Square)).ParamName);
    }

    [Fact]
    public void Null_path_and_folder_paths_are_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => Plots.Function(null!, Square));
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => Plots.Function(_folder.Path, Square)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => Plots.Function(_folder.Path + Path.DirectorySeparatorChar, Square)).ParamName);
    }

    [Theory]
    [InlineData(0, 400, "width")]
    [InlineData(-5, 400, "width")]
    [InlineData(600, 0, "height")]
    [InlineData(Plots.MaxPixels + 1, 400, "width")]
    public void Bad_sizes_are_rejected(int width, int height, string param)
    {
        string p = _folder.File("x.png");
        Assert.Equal(param, Assert.Throws<ArgumentOutOfRangeException>(() => Plots.Function(p, Square, width: width, height: height)).ParamName);
        Assert.Equal(param, Assert.Throws<ArgumentOutOfRangeException>(() => Plots.Lines(p, [new Series("a", [1], [1])], width: width, height: height)).ParamName);
        Assert.Equal(param, Assert.Throws<ArgumentOutOfRangeException>(() => Plots.Loss(p, [1, 2], skipStart: 0, width: width, height: height)).ParamName);
        Assert.Equal(param, Assert.Throws<ArgumentOutOfRangeException>(() => Plots.LrFind(p, [1e-3, 1e-2], [1, 2], skipEnd: 0, width: width, height: height)).ParamName);
        Assert.False(File.Exists(p));
    }

    [Fact]
    public void Plots_can_be_drawn_from_several_threads()
    {
        Parallel.For(0, 8, i =>
        {
            string path = _folder.File($"parallel-{i}.png");
            if (i % 2 == 0)
                Plots.Function(path, x => Math.Pow(x, i), title: $"x^{i}");
            else
                Plots.Images(path, [Enumerable.Repeat(i / 8f, 16).ToArray()], 4, 4, titles: [$"{i}"]);
        });
        Assert.Equal(8, Directory.GetFiles(_folder.Path, "parallel-*.png").Length);
        AssertNoTempFiles();
    }
}
