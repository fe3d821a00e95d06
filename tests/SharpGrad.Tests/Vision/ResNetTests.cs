using SharpGrad.Data;
using SharpGrad.Learning;
using SharpGrad.NN;
using SharpGrad.Vision;

namespace SharpGrad.Tests.Vision;

/// <summary>ResNet as torchvision defines it, and fastai's cnn_learner model, groups and weight-decay rules.</summary>
public class ResNetTests
{
    [Fact]
    public void Resnet18_has_torchvisions_parameter_count_and_state_dict_names()
    {
        ResNet net = ResNet.Resnet18();
        Assert.Equal(11_689_512, net.Parameters().Sum(p => (long)p.Numel));
        Dictionary<string, Tensor> state = net.StateDict();
        Assert.Equal([64, 3, 7, 7], state["conv1.weight"].Shape.ToArray());
        Assert.Equal([128, 64, 1, 1], state["layer2.0.downsample.0.weight"].Shape.ToArray());
        Assert.Equal([128], state["layer2.0.downsample.1.running_var"].Shape.ToArray());
        Assert.Equal([512, 512, 3, 3], state["layer4.1.conv2.weight"].Shape.ToArray());
        Assert.Equal([1000, 512], state["fc.weight"].Shape.ToArray());
        Assert.Equal(DType.Int64, state["layer1.0.bn1.num_batches_tracked"].DType);
        Assert.DoesNotContain("layer1.0.downsample.0.weight", state.Keys);
        Assert.Equal(21_797_672, ResNet.Resnet34().Parameters().Sum(p => (long)p.Numel));
    }

    [Fact]
    public void Convolutions_are_kaiming_normal_fan_out()
    {
        Tensor w = ResNet.Resnet18(generator: new Generator(3)).StateDict()["layer3.0.conv2.weight"]; // fan_out = 256 * 9
        float std = w.Std().Item();
        Assert.InRange(std, 0.9f * MathF.Sqrt(2f / (256 * 9)), 1.1f * MathF.Sqrt(2f / (256 * 9)));
    }

    [Fact]
    public void A_28_by_28_batch_flows_through_to_the_classes()
    {
        ResNet net = ResNet.Resnet18(numClasses: 10, generator: new Generator(1));
        net.Eval();
        Tensor y = net.Forward(Tensor.Rand([2, 3, 28, 28], new Generator(2)));
        Assert.Equal([2, 10], y.Shape.ToArray());
    }

    [Fact]
    public void The_cnn_learner_model_has_fastais_head_and_three_parameter_groups()
    {
        Sequential model = CnnLearner.CreateModel(Arch.Resnet18, 2, generator: new Generator(4));
        var head = (Sequential)model[1];
        Assert.Equal(["AdaptiveConcatPool2d", "Flatten", "BatchNorm1d", "Dropout", "Linear", "ReLU", "BatchNorm1d", "Dropout", "Linear"],
                     head.Layers.Select(l => l.GetType().Name));
        Assert.Null(((Linear)head[4]).Bias);
        Assert.Equal(1024, ((Linear)head[4]).InFeatures);
        IReadOnlyList<IReadOnlyList<Tensor>> groups = CnnLearner.Split(model);
        Assert.Equal(3, groups.Count);
        Assert.Equal(model.Parameters().Count(), groups.Sum(g => g.Count));
        Assert.Contains(((Sequential)model[0]).Layers[6].Parameters().First(), groups[1]); // layer3 starts the second group
        model.Eval();
        Assert.Equal([3, 2], model.Forward(Tensor.Rand([3, 3, 28, 28], new Generator(5))).Shape.ToArray());
    }

    [Fact]
    public void Batch_norm_and_bias_parameters_get_no_weight_decay()
    {
        var g = new Generator(6);
        Tensor x = Tensor.Rand([8, 3, 4, 4], g), y = Tensor.Randint(0, 2, [8], g);
        var dls = new DataLoaders(new DataLoader(new TensorDataset(x, y), 4), new DataLoader(new TensorDataset(x, y), 4), ["a", "b"]);
        var model = Nn.Sequential(new Conv2d(3, 4, 3, padding: 1), new BatchNorm2d(4), Nn.Flatten(), Nn.Linear(64, 2));
        var exempt = Learner.NormAndBiasParameters(model).ToList();
        Assert.Equal(4, exempt.Count); // conv bias, bn weight, bn bias, linear bias
        var learn = new Learner(dls, model, F.CrossEntropy, Optimizers.AdamWith(wd: 0.5)) { Output = null };
        learn.CreateOpt();
        Tensor bnWeight = ((BatchNorm2d)model[1]).Weight!;
        float before = bnWeight.ToArray<float>()[0];
        bnWeight.Grad = Tensor.Zeros(4);
        foreach (Tensor p in model.Parameters()) p.Grad ??= Tensor.Zeros(p.Shape.ToArray());
        learn.Opt!.Step();
        Assert.Equal(before, bnWeight.ToArray<float>()[0]); // zero grad and no decay: unchanged
    }
}
