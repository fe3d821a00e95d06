using SharpGrad.IO;
using SharpGrad.NN;

namespace SharpGrad.Tests.Vision;

/// <summary>Conv2d, BatchNorm1d/2d and the pooling modules: PyTorch's names, printing, init, train/eval behaviour, errors, export.</summary>
public class VisionModuleTests
{
    [Fact]
    public void Conv2d_has_pytorchs_state_dict_init_and_printing()
    {
        var conv = Nn.Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false, generator: new Generator(1));
        Assert.Equal(["weight"], conv.StateDict().Keys);
        Assert.Equal([64, 3, 7, 7], conv.Weight.Shape.ToArray());
        Assert.Equal("Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)", conv.ToString());

        var withBias = new Conv2d(4, 6, (3, 5), stride: (1, 2), padding: (1, 2), dilation: (2, 1), groups: 2, generator: new Generator(2));
        Assert.Equal(["weight", "bias"], withBias.StateDict().Keys);
        Assert.Equal([6, 2, 3, 5], withBias.Weight.Shape.ToArray());
        Assert.Equal("Conv2d(4, 6, kernel_size=(3, 5), stride=(1, 2), padding=(1, 2), dilation=(2, 1), groups=2)", withBias.ToString());
        Assert.Equal("Conv2d(64, 128, kernel_size=(1, 1), stride=(2, 2), bias=False)", Nn.Conv2d(64, 128, 1, stride: 2, bias: false).ToString());

        // kaiming_uniform(a=sqrt(5)) and the bias: U(±1/sqrt(fan_in)), fan_in = 2·3·5
        float bound = 1f / MathF.Sqrt(2 * 3 * 5);
        float[] w = withBias.Weight.ToArray<float>(), b = withBias.Bias!.ToArray<float>();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.All(b, v => Assert.InRange(v, -bound, bound));
        Assert.True(w.Max() > 0.8f * bound && w.Min() < -0.8f * bound);
        Assert.True(withBias.Weight.RequiresGradient && withBias.Weight.IsLeaf);
    }

    [Fact]
    public void Conv2d_forward_shapes_and_errors_name_the_shapes()
    {
        var conv = Nn.Conv2d(3, 8, 3, stride: 2, padding: 1);
        Assert.Equal([2, 8, 14, 14], conv.Forward(Tensor.Zeros(2, 3, 28, 28)).Shape.ToArray());
        Assert.Equal([8, 14, 14], conv.Forward(Tensor.Zeros(3, 28, 28)).Shape.ToArray());
        Assert.Contains("[2, 1, 28, 28]", Assert.Throws<ArgumentException>(() => conv.Forward(Tensor.Zeros(2, 1, 28, 28))).Message);

        Tensor w = Tensor.Zeros(6, 2, 3, 3);
        var e = Assert.Throws<ArgumentException>(() => F.Conv2d(Tensor.Zeros(1, 3, 8, 8), w, groups: 2));
        Assert.Contains("Conv2d", e.Message);
        Assert.Contains("[1, 3, 8, 8]", e.Message);
        Assert.Contains("groups=2", e.Message);
        Assert.Contains("divisible", Assert.Throws<ArgumentException>(() => F.Conv2d(Tensor.Zeros(1, 6, 8, 8), Tensor.Zeros(5, 2, 3, 3), groups: 3)).Message);
        Assert.Contains("4-D input", Assert.Throws<ArgumentException>(() => F.Conv2d(Tensor.Zeros(8, 8), w)).Message);
        Assert.Contains("4-D weight", Assert.Throws<ArgumentException>(() => F.Conv2d(Tensor.Zeros(1, 2, 8, 8), Tensor.Zeros(6, 2, 3))).Message);
        Assert.Contains("output would be", Assert.Throws<ArgumentException>(() => F.Conv2d(Tensor.Zeros(1, 2, 2, 2), w)).Message);
        Assert.Contains("bias of shape [6]", Assert.Throws<ArgumentException>(() => F.Conv2d(Tensor.Zeros(1, 2, 4, 4), w, Tensor.Zeros(5))).Message);
        Assert.Contains("stride", Assert.Throws<ArgumentException>(() => F.Conv2d(Tensor.Zeros(1, 2, 4, 4), w, stride: 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Nn.Conv2d(3, 8, 3, groups: 2));
    }

    [Fact]
    public void BatchNorm_has_pytorchs_buffers_and_printing()
    {
        var bn = Nn.BatchNorm2d(64);
        Dictionary<string, Tensor> state = bn.StateDict();
        Assert.Equal(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"], state.Keys);
        Assert.All(state["weight"].ToArray<float>(), v => Assert.Equal(1f, v));
        Assert.All(state["bias"].ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.All(state["running_mean"].ToArray<float>(), v => Assert.Equal(0f, v));
        Assert.All(state["running_var"].ToArray<float>(), v => Assert.Equal(1f, v));
        Assert.Equal(DType.Int64, state["num_batches_tracked"].DType);
        Assert.Equal(0, state["num_batches_tracked"].NDim);
        Assert.Equal(["weight", "bias"], bn.NamedParameters().Select(p => p.Name));
        Assert.Equal("BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", bn.ToString());
        Assert.Equal("BatchNorm1d(512, eps=0.001, momentum=0.01, affine=False, track_running_stats=False)",
            Nn.BatchNorm1d(512, eps: 1e-3f, momentum: 0.01f, affine: false, trackRunningStats: false).ToString());
        Assert.Empty(Nn.BatchNorm1d(4, affine: false, trackRunningStats: false).StateDict());
    }

    [Fact]
    public void BatchNorm_trains_on_batch_statistics_and_evaluates_on_running_ones()
    {
        var bn = Nn.BatchNorm2d(2);
        Tensor x = Tensor.Randn([4, 2, 3, 3], new Generator(3)) * 2f + 1f;
        Tensor y = bn.Forward(x);
        float[] mean = x.Mean([0, 2, 3]).ToArray<float>(), varUnbiased = x.Var([0, 2, 3], unbiased: true).ToArray<float>();
        TensorAssert.Close(Tensor.From(mean.Select(m => 0.1f * m).ToArray()), bn.RunningMean!, 1e-5f, 1e-6f, "running mean");
        TensorAssert.Close(Tensor.From(varUnbiased.Select(v => 0.9f + 0.1f * v).ToArray()), bn.RunningVar!, 1e-5f, 1e-6f, "running var");
        Assert.Equal(1L, bn.NumBatchesTracked!.Item<long>());
        // training output: zero mean, unit (biased) variance per channel
        TensorAssert.Close(Tensor.Zeros(2), y.Mean([0, 2, 3]), 1e-4f, 1e-5f, "normalised mean");
        TensorAssert.Close(Tensor.Ones(2), y.Var([0, 2, 3], unbiased: false), 1e-3f, 1e-4f, "normalised variance");

        bn.Eval();
        float[] rm = bn.RunningMean!.ToArray<float>(), rv = bn.RunningVar!.ToArray<float>();
        Tensor ye = bn.Forward(x);
        Tensor expected = (x - Tensor.From(rm).Reshape(1, 2, 1, 1)) / (Tensor.From(rv).Reshape(1, 2, 1, 1) + 1e-5f).Sqrt();
        TensorAssert.Close(expected, ye, 1e-5f, 1e-5f, "eval output");
        Assert.Equal(rm, bn.RunningMean!.ToArray<float>());
        Assert.Equal(1L, bn.NumBatchesTracked!.Item<long>());

        bn.Train();
        bn.Forward(x);
        Assert.Equal(2L, bn.NumBatchesTracked!.Item<long>());
    }

    [Fact]
    public void BatchNorm1d_takes_features_and_sequences_and_errors_name_the_shape()
    {
        var bn = Nn.BatchNorm1d(3);
        Assert.Equal([5, 3], bn.Forward(Tensor.Randn(5, 3)).Shape.ToArray());
        Assert.Equal([5, 3, 4], bn.Forward(Tensor.Randn(5, 3, 4)).Shape.ToArray());
        Assert.Contains("[5, 3, 4, 4]", Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Randn(5, 3, 4, 4))).Message);
        Assert.Contains("[5, 4]", Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Randn(5, 4))).Message);
        Assert.Contains("more than 1 value per channel", Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Randn(1, 3))).Message);
        bn.Eval();
        Assert.Equal([1, 3], bn.Forward(Tensor.Randn(1, 3)).Shape.ToArray());
        Assert.Contains("[2, 3, 4]", Assert.Throws<ArgumentException>(() => Nn.BatchNorm2d(3).Forward(Tensor.Randn(2, 3, 4))).Message);
        Assert.Contains("running statistics", Assert.Throws<ArgumentException>(() => F.BatchNorm(Tensor.Randn(4, 3), null, null)).Message);
        Assert.Contains("running_mean of shape [3]", Assert.Throws<ArgumentException>(() => F.BatchNorm(Tensor.Randn(4, 3), Tensor.Zeros(2), Tensor.Ones(2))).Message);
    }

    [Fact]
    public void Untracked_batch_norm_uses_batch_statistics_in_eval_too()
    {
        var bn = Nn.BatchNorm1d(2, trackRunningStats: false);
        bn.Eval();
        Tensor y = bn.Forward(Tensor.Randn([6, 2], new Generator(8)) * 3f + 5f);
        TensorAssert.Close(Tensor.Zeros(2), y.Mean(0), 1e-4f, 1e-5f, "normalised mean");
    }

    [Fact]
    public void Pools_print_like_pytorch_and_fastai()
    {
        Assert.Equal("MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)", Nn.MaxPool2d(3, 2, 1).ToString());
        Assert.Equal("MaxPool2d(kernel_size=(3, 2), stride=(3, 2), padding=0, dilation=1, ceil_mode=False)", new MaxPool2d((3, 2)).ToString());
        Assert.Equal("AvgPool2d(kernel_size=2, stride=2, padding=0)", Nn.AvgPool2d(2).ToString());
        Assert.Equal("AdaptiveAvgPool2d(output_size=(1, 1))", Nn.AdaptiveAvgPool2d((1, 1)).ToString());
        Assert.Equal("AdaptiveMaxPool2d(output_size=3)", Nn.AdaptiveMaxPool2d(3).ToString());
        Assert.Equal("""
            AdaptiveConcatPool2d(
              (ap): AdaptiveAvgPool2d(output_size=1)
              (mp): AdaptiveMaxPool2d(output_size=1)
            )
            """.ReplaceLineEndings("\n"), Nn.AdaptiveConcatPool2d().ToString());
    }

    [Fact]
    public void AdaptiveConcatPool2d_puts_max_before_average()
    {
        Tensor x = Tensor.Randn([2, 3, 5, 4], new Generator(4));
        Tensor y = Nn.AdaptiveConcatPool2d().Forward(x);
        Assert.Equal([2, 6, 1, 1], y.Shape.ToArray());
        Tensor flat = x.Reshape(2, 3, 20);
        TensorAssert.Close(flat.Max(2).Values, y[.., ..3].Reshape(2, 3), what: "max half");
        TensorAssert.Close(flat.Mean(2), y[.., 3..].Reshape(2, 3), what: "average half");
    }

    [Fact]
    public void Pool_errors_name_the_op_and_shapes()
    {
        Assert.Contains("half the kernel", Assert.Throws<ArgumentException>(() => F.MaxPool2d(Tensor.Zeros(1, 1, 8, 8), 3, 1, 2)).Message);
        var e = Assert.Throws<ArgumentException>(() => F.AvgPool2d(Tensor.Zeros(1, 1, 2, 2), 3));
        Assert.Contains("AvgPool2d", e.Message);
        Assert.Contains("[1, 1, 2, 2]", e.Message);
        Assert.Contains("[4, 4]", Assert.Throws<ArgumentException>(() => F.MaxPool2d(Tensor.Zeros(4, 4), 2)).Message);
        Assert.Contains("output size", Assert.Throws<ArgumentException>(() => F.AdaptiveAvgPool2d(Tensor.Zeros(1, 1, 4, 4), 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Nn.MaxPool2d(2, padding: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Nn.AdaptiveMaxPool2d(0));
    }

    private static Sequential SmallCnn() => Nn.Sequential(
        Nn.Conv2d(1, 4, 3, padding: 1, bias: false, generator: new Generator(1)), Nn.BatchNorm2d(4), Nn.ReLU(), Nn.MaxPool2d(2),
        Nn.Conv2d(4, 8, 3, stride: 2, padding: 1, groups: 4, generator: new Generator(2)), Nn.AvgPool2d(2, 1),
        Nn.AdaptiveConcatPool2d(), Nn.Flatten(), Nn.BatchNorm1d(16), Nn.Linear(16, 2, generator: new Generator(3)));

    [Fact]
    public void Module_spec_rebuilds_every_vision_module()
    {
        Sequential net = SmallCnn();
        Module rebuilt = ModuleSpec.Build(ModuleSpec.Describe(net));
        Assert.Equal(net.ToString(), rebuilt.ToString());
        Assert.Equal(net.StateDict().Select(kv => (kv.Key, kv.Value.Shape, kv.Value.DType)), rebuilt.StateDict().Select(kv => (kv.Key, kv.Value.Shape, kv.Value.DType)));
        foreach (Module m in new Module[] { new MaxPool2d((3, 2), (1, 2), (1, 0)), new AvgPool2d(3, 2, 1, countIncludePad: false), Nn.AdaptiveAvgPool2d((2, 3)), Nn.BatchNorm1d(3, 1e-3f, 0.2f, false, false) })
        {
            Module copy = ModuleSpec.Build(ModuleSpec.Describe(m));
            Assert.Equal(m.ToString(), copy.ToString());
        }
        Assert.False(((AvgPool2d)ModuleSpec.Build(ModuleSpec.Describe(new AvgPool2d(3, 2, 1, countIncludePad: false)))).CountIncludePad);
        rebuilt.LoadStateDict(net.StateDict());
    }

    [Fact]
    public void State_dicts_with_batch_norm_round_trip_through_safetensors()
    {
        Sequential net = SmallCnn();
        net.Forward(Tensor.Randn([4, 1, 8, 8], new Generator(5)));
        using var stream = new MemoryStream();
        SafeTensors.Save(stream, net.StateDict());
        stream.Position = 0;
        Sequential other = SmallCnn();
        other.LoadStateDict(SafeTensors.Load(stream));
        Assert.Equal(1L, ((BatchNorm2d)other[1]).NumBatchesTracked!.Item<long>());
        Assert.Equal(((BatchNorm2d)net[1]).RunningVar!.ToArray<float>(), ((BatchNorm2d)other[1]).RunningVar!.ToArray<float>());
    }

    [Fact]
    public void A_small_cnn_learns()
    {
        Sequential net = SmallCnn();
        var g = new Generator(6);
        // class 1: a bright top half; class 0: a bright bottom half
        Tensor labels = Tensor.From(Enumerable.Range(0, 16).Select(i => (long)(i % 2)).ToArray());
        Tensor x = Tensor.Rand([16, 1, 8, 8], g) * 0.5f;
        Tensor top = Tensor.Cat([Tensor.Ones(1, 1, 4, 8), Tensor.Zeros(1, 1, 4, 8)], 2), bottom = Tensor.Cat([Tensor.Zeros(1, 1, 4, 8), Tensor.Ones(1, 1, 4, 8)], 2);
        x = x + Tensor.Where(labels.Reshape(16, 1, 1, 1).Eq(Tensor.Scalar(1L)), top, bottom);
        float first = 0, last = 0;
        for (int step = 0; step < 30; step++)
        {
            Tensor loss = F.CrossEntropy(net.Forward(x), labels);
            if (step == 0) first = loss.Item();
            last = loss.Item();
            net.ZeroGrad();
            loss.Backward();
            using (Tensor.NoGrad())
                foreach (Tensor p in net.Parameters()) p.SubInPlace(p.Grad!, 0.1f);
        }
        Assert.True(last < first * 0.5f, $"loss went from {first} to {last}");
    }

    [Theory]
    [InlineData(5, 3, 7, 7, true)]    // rows of 49: the vector path
    [InlineData(6, 4, 2, 2, true)]    // rows of 4: the short-row loop
    [InlineData(5, 3, 7, 7, false)]
    [InlineData(6, 4, 1, 1, false)]
    public void Batch_norm_with_fused_relu_is_exactly_batch_norm_then_relu(int n, int c, int h, int w, bool training)
    {
        var g = new Generator(21);
        Tensor x = Tensor.Randn([n, c, h, w], g);
        Tensor dy = Tensor.Randn([n, c, h, w], g);
        (Tensor y, Tensor dx, Tensor dw, Tensor db, float[] stats) Run(bool fused)
        {
            var bn = Nn.BatchNorm2d(c);
            using (Tensor.NoGrad())
            {
                bn.Weight!.CopyFrom(Tensor.Randn([c], new Generator(3)));
                bn.Bias!.CopyFrom(Tensor.Randn([c], new Generator(4)));
                bn.RunningVar!.CopyFrom(Tensor.Rand([c], new Generator(5)) + 0.5f);
            }
            if (!training) bn.Eval();
            Tensor xi = x.Detach().RequiresGrad();
            Tensor y = fused ? bn.ForwardRelu(xi) : bn.Forward(xi).Relu();
            y.Backward(dy);
            return (y, xi.Grad!, bn.Weight!.Grad!, bn.Bias!.Grad!, [.. bn.RunningMean!.ToArray<float>(), .. bn.RunningVar!.ToArray<float>()]);
        }
        var plain = Run(fused: false);
        var fused = Run(fused: true);
        Assert.Equal(plain.y.ToArray<float>(), fused.y.ToArray<float>());
        Assert.Equal(plain.dx.ToArray<float>(), fused.dx.ToArray<float>());
        Assert.Equal(plain.dw.ToArray<float>(), fused.dw.ToArray<float>());
        Assert.Equal(plain.db.ToArray<float>(), fused.db.ToArray<float>());
        Assert.Equal(plain.stats, fused.stats);
        Assert.Contains(fused.y.ToArray<float>(), v => v == 0f); // ReLU did clip something
    }
}
