using SharpGrad.Data;
using SharpGrad.Learning;
using SharpGrad.NN;

namespace SharpGrad.Tests.Learning;

/// <summary>Chapter 4's simple_net with Learner.Fit on mnist-sample, shortened: the seed's 40 epochs reach 0.9828.</summary>
[Collection("Real datasets")]
public class MnistSampleTrainingTests
{
    internal static Tensor MnistLoss(Tensor predictions, Tensor targets)
    {
        Tensor p = predictions.Sigmoid();
        Tensor t = targets.Reshape(p.Shape.ToArray());
        return Tensor.Where(t.Eq(1f), p.RSub(1f), p).Mean();
    }

    [Fact]
    public void Simple_net_reaches_96_percent_in_four_epochs()
    {
        Tensor.ManualSeed(42);
        DataLoaders dls = ImageDataLoaders.FromFolder(Datasets.Get(Datasets.MnistSample), bs: 256, channels: 1);
        var net = Nn.Sequential(Nn.Flatten(), Nn.Linear(28 * 28, 30), Nn.ReLU(), Nn.Linear(30, 1));
        var learn = new Learner(dls, net, MnistLoss, Optimizers.Sgd, [Metrics.BatchAccuracy]) { Output = null };
        learn.Fit(4, lr: 0.1);
        double accuracy = learn.Recorder.Values[^1][2];
        Assert.True(accuracy >= 0.96, $"batch_accuracy {accuracy:F4}");
    }
}
