using SharpGrad.Data;
using SharpGrad.Learning;
using SharpGrad.NN;
using SharpGrad.Vision;

namespace SharpGrad.Tests.Learning;

/// <summary>learn.Summary(): fastai's table, with torchinfo's and fastai's parameter counts for resnet18.</summary>
public class SummaryTests
{
    private static DataLoaders Data(int classes)
    {
        var g = new Generator(1);
        Tensor x = Tensor.Rand([8, 3, 32, 32], g), y = Tensor.Randint(0, classes, [8], g);
        return new DataLoaders(new DataLoader(new TensorDataset(x, y), 4), new DataLoader(new TensorDataset(x, y), 4),
                               Enumerable.Range(0, classes).Select(i => $"c{i}").ToList());
    }

    [Fact]
    public void Torchvisions_resnet18_has_11_689_512_parameters()
    {
        var learn = new Learner(Data(1000), ResNet.Resnet18(), F.CrossEntropy) { Output = null };
        string summary = learn.Summary();
        Assert.Contains("Total params: 11,689,512", summary);
        Assert.Contains("ResNet", summary);
        Assert.Contains("4 x 1000", summary);
    }

    [Fact]
    public void A_frozen_vision_learner_lists_its_layers_shapes_and_trainable_split()
    {
        Learner learn = VisionLearner.Create(Data(2), Arch.Resnet18, pretrained: false);
        learn.Freeze();
        string summary = learn.Summary();
        // fastai's cnn_learner(resnet18) for two classes: body 11,176,512 + head 528,384.
        Assert.Contains("Total params: 11,704,896", summary);
        long bn = learn.Model.NamedModules().Where(m => m.Module is BatchNorm).Sum(m => m.Module.OwnParameters().Sum(p => (long)p.Parameter.Numel));
        long head = ((Sequential)learn.Model)[1].Parameters().Sum(p => (long)p.Numel);
        long bodyBn = bn - 2048 - 1024; // the head's two batch norms are counted in head already
        Assert.Contains($"Total trainable params: {head + bodyBn:N0}", summary);
        Assert.Contains("Conv2d                  4 x 64 x 16 x 16", summary);
        Assert.Contains("BasicBlock              4 x 512 x 1 x 1", summary);
        Assert.Contains("Model frozen up to parameter group #2", summary);
        Assert.Contains("  - Recorder", summary);
    }
}
