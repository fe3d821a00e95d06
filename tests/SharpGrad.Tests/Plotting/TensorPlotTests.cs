using SharpGrad.Data;
using SharpGrad.Data.Images;
using SharpGrad.Learning;
using SharpGrad.NN;
using SharpGrad.Plotting;

namespace SharpGrad.Tests.Plotting;

/// <summary>Plots from tensors and from a learner's recorder and LR finder.</summary>
public class TensorPlotTests
{
    [Fact]
    public void ShowImages_draws_chw_hw_and_uint8_tensors()
    {
        using var dir = new Data.TempDir();
        string path = Path.Combine(dir, "grid.png");
        Tensor white = Tensor.Ones(1, 4, 4), black = Tensor.Zeros(4, 4);
        Tensor u8 = Tensor.From(Enumerable.Repeat((byte)255, 16).ToArray(), [4, 4]);
        Assert.Throws<ArgumentException>(() => TensorPlots.ShowImages(path, [white, Tensor.Zeros(5, 5)]));
        TensorPlots.ShowImages(path, [white, black], ["white", "black"], cellPixels: 10);
        Image png = PngDecoder.Decode(File.ReadAllBytes(path));
        Assert.True(png.Width > 80 && png.Height > 40);
        TensorPlots.ShowImage(path, u8);
        Assert.True(File.Exists(path));
        Assert.Contains("shape [2, 2, 2]", Assert.Throws<ArgumentException>(() => TensorPlots.ShowImage(path, Tensor.Zeros(2, 2, 2))).Message);
    }

    [Fact]
    public void A_recorder_and_an_lr_find_result_plot()
    {
        var g = new Generator(11);
        Tensor y = Tensor.Randint(0, 2, [64], g);
        Tensor x = Tensor.Randn([64, 2], g) + y.Float().Unsqueeze(1);
        var dls = new DataLoaders(new DataLoader(new TensorDataset(x, y), 8, shuffle: true), new DataLoader(new TensorDataset(x, y), 16));
        var learn = new Learner(dls, Nn.Sequential(Nn.Linear(2, 2)), F.CrossEntropy, Optimizers.Sgd, [Metrics.Accuracy]) { Output = null };
        learn.Fit(3, 0.1);
        using var dir = new Data.TempDir();
        learn.Recorder.PlotLoss(Path.Combine(dir, "loss.png"));
        learn.Recorder.PlotMetric(Path.Combine(dir, "acc.png"));
        learn.LrFind(numIt: 30).Plot(Path.Combine(dir, "lr.png"));
        foreach (string f in new[] { "loss.png", "acc.png", "lr.png" })
            Assert.True(PngDecoder.Decode(File.ReadAllBytes(Path.Combine(dir, f))).Width == 600, f);
    }
}
