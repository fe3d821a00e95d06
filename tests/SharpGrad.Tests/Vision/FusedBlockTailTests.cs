using SharpGrad.NN;

namespace SharpGrad.Tests.Vision;

/// <summary>The fused batch norm + residual + ReLU of a resnet block's tail gives bitwise the values and gradients of the three ops.</summary>
public class FusedBlockTailTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ForwardAddRelu_equals_batch_norm_then_add_then_relu(bool training)
    {
        var g = new Generator(3);
        Tensor x0 = Tensor.Randn([4, 6, 5, 5], g), r0 = Tensor.Randn([4, 6, 5, 5], g), dy = Tensor.Randn([4, 6, 5, 5], g);
        (float[] Y, float[] Dx, float[] Dr, float[] Dw, float[] Db, float[] RunningMean) Run(bool fused)
        {
            var bn = new BatchNorm2d(6);
            using (Tensor.NoGrad()) { bn.Weight!.CopyFrom(Tensor.Rand([6], new Generator(1)) + 0.5f); bn.Bias!.CopyFrom(Tensor.Randn([6], new Generator(2))); }
            bn.Train(training);
            if (!training) using (Tensor.NoGrad()) { bn.RunningMean!.CopyFrom(Tensor.Randn([6], new Generator(4))); bn.RunningVar!.CopyFrom(Tensor.Rand([6], new Generator(5)) + 0.5f); }
            Tensor x = x0.Detach().RequiresGrad(), r = r0.Detach().RequiresGrad();
            Tensor y = fused ? bn.ForwardAddRelu(x, r) : (bn.Forward(x) + r).Relu();
            y.Backward(dy);
            return (y.ToArray<float>(), x.Grad!.ToArray<float>(), r.Grad!.ToArray<float>(), bn.Weight!.Grad!.ToArray<float>(), bn.Bias!.Grad!.ToArray<float>(),
                    bn.RunningMean!.ToArray<float>());
        }
        var a = Run(fused: true);
        var b = Run(fused: false);
        Assert.Equal(b.Y, a.Y);
        Assert.Equal(b.Dx, a.Dx);
        Assert.Equal(b.Dr, a.Dr);
        Assert.Equal(b.Dw, a.Dw);
        Assert.Equal(b.Db, a.Db);
        Assert.Equal(b.RunningMean, a.RunningMean);
        Assert.Contains(a.Y, v => v == 0f); // the ReLU did cut something
    }
}
