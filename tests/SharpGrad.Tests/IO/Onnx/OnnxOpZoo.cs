using SharpGrad.NN;
using SharpGrad.Vision;

namespace SharpGrad.Tests.IO.Onnx;

/// <summary>
/// One small model per exportable op (with the ops each covers), run through export and ONNX Runtime by
/// <see cref="OnnxExportTests"/>. <see cref="OnnxExportTests.EveryOpIsExportedOrRefused"/> fails when an
/// <see cref="OpKind"/> is neither covered here nor refused by the exporter.
/// </summary>
internal static class OnnxOpZoo
{
    /// <summary>A case: the model, the input shape for a batch of one (batch dim first), and the ops it exercises.</summary>
    public sealed record Case(string Name, Func<Module> Model, int[] ItemShape, OpKind[] Covers, bool StaticBatch = false);

    private static Tensor C(params int[] shape) => Tensor.Randn(shape, new Generator(7));

    private static Module L(Func<Tensor, Tensor> f) => new Lambda(f);

    public static readonly Case[] Cases =
    [
        new("add-sub-mul-div", () => { Tensor a = C(4), b = C(1, 4); return L(x => ((x + a) * b - x) / (b.Abs() + 1f)); }, [4], [OpKind.Add, OpKind.Sub, OpKind.Mul, OpKind.Div, OpKind.Abs]),
        new("pow", () => { Tensor e = C(4).Abs(); return L(x => (x.Abs() + 0.5f).Pow(e) + x.Pow(3f)); }, [4], [OpKind.Pow, OpKind.PowScalar]),
        new("max-min", () => { Tensor a = C(4); return L(x => x.Maximum(a) + x.Minimum(a * 0.5f)); }, [4], [OpKind.Maximum, OpKind.Minimum]),
        new("unary", () => L(x => x.Neg().Exp() + (x.Abs() + 0.1f).Log() + x.Abs().Sqrt() + x.Sigmoid() + x.Tanh() + x.Relu() + x.Square() + (x.Abs() + 1f).Reciprocal() + x.Sign()),
            [5], [OpKind.Neg, OpKind.Exp, OpKind.Log, OpKind.Sqrt, OpKind.Sigmoid, OpKind.Tanh, OpKind.Relu, OpKind.Square, OpKind.Reciprocal, OpKind.Sign]),
        new("clamp", () => L(x => x.Clamp(-0.5f, 0.5f) + x.Clamp(min: 0.2f) + x.Clamp(max: -0.1f)), [6], [OpKind.Clamp]),
        new("compare-where-cast", () => L(x => Tensor.Where(x > 0f, x, x * 2f) + x.Lt(0.3f).Float() + x.Ge(x * 0.5f).Float() + x.Le(0.1f).Float() + x.Eq(x).Float() + x.Ne(0.25f).Float()),
            [6], [OpKind.Compare, OpKind.Where, OpKind.Cast]),
        new("reductions", () => L(x => x.Sum(1) + x.Sum([1, 2], keepDim: true).Squeeze(2) + x.Max(1).Values + x.Min(1).Values + x.Mean(2)), [3, 3], [OpKind.Sum, OpKind.MaxDim, OpKind.MinDim]),
        new("reduce-all", () => L(x => x.Max() - x.Min() + x.Sum()), [3, 2], [OpKind.MaxAll, OpKind.MinAll]),
        new("matmul", () => { Tensor w = C(6, 3), v = C(3); return L(x => x.MatMul(w).MatMul(v)); }, [4, 6], [OpKind.MatMul]),
        new("linear-gemm", () => Nn.Sequential(Nn.Linear(8, 5), Nn.ReLU(), Nn.Linear(5, 3, bias: false)), [8], [OpKind.MatMul, OpKind.Permute]),
        new("conv", () => Nn.Sequential(Nn.Conv2d(4, 6, 3, stride: 2, padding: 1, dilation: 1), Nn.Conv2d(6, 4, 3, padding: 2, dilation: 2, groups: 2, bias: false)),
            [4, 9, 9], [OpKind.Conv2d]),
        new("batchnorm", () => WithStats(Nn.Sequential(Nn.Conv2d(3, 4, 1), Nn.BatchNorm2d(4), Nn.Conv2d(4, 4, 1), Nn.BatchNorm2d(4), Nn.ReLU())), [3, 5, 5],
            [OpKind.BatchNorm, OpKind.BatchNormRelu]),
        new("batchnorm1d-no-affine", () => WithStats(Nn.Sequential(Nn.Linear(6, 4), Nn.BatchNorm1d(4, affine: false))), [6], [OpKind.BatchNorm]),
        new("basic-block", () => WithStats(new BasicBlock(4, 8, stride: 2)), [4, 6, 6], [OpKind.BatchNormAddRelu]),
        new("softmax", () => L(x => x.Softmax(1) + x.LogSoftmax(-1)), [5, 5], [OpKind.Softmax, OpKind.LogSoftmax]),
        new("pools", () => Nn.Sequential(Nn.MaxPool2d(3, 2, 1), Nn.AvgPool2d(2, 1, 1, countIncludePad: false), Nn.AvgPool2d(3, 1, 1)), [2, 9, 9],
            [OpKind.MaxPool2d, OpKind.AvgPool2d]),
        new("adaptive-pools", () => L(x => F.AdaptiveAvgPool2d(x, 2) + F.AdaptiveMaxPool2d(x, 2)), [3, 4, 6], [OpKind.AdaptiveAvgPool2d, OpKind.AdaptiveMaxPool2d]),
        new("concat-pool-head", () => WithStats(CnnLearner.CreateHead(8, 3, hidden: 6)), [4, 3, 3], [OpKind.AdaptiveAvgPool2d, OpKind.AdaptiveMaxPool2d, OpKind.Cat, OpKind.View]),
        new("cat-narrow", () => L(x => Tensor.Cat([x, x * 2f], 1).Narrow(1, 1, 4)), [3, 2], [OpKind.Cat, OpKind.Narrow]),
        new("views", () => L(x => x.Transpose(1, 2).Contiguous().View(x.Size(0), -1).Unsqueeze(1).Squeeze(1).Reshape(x.Size(0), 2, 6).Permute(0, 2, 1).Clone()),
            [3, 4], [OpKind.Transpose, OpKind.View, OpKind.Unsqueeze, OpKind.Squeeze, OpKind.Permute, OpKind.Clone]),
        new("to-device", () => L(x => x.To(Cuda.TestDevices.Cuda).Relu().To(Device.Cpu) * 2f), [5], [OpKind.ToDevice]),
        new("expand", () => L(x => x.Unsqueeze(1).Expand(x.Size(0), 3, 4) * 2f), [4], [OpKind.Expand]),
        new("indexing", () => L(x => x[.., 1..3, TensorIndex.NewAxis, ^1] + x[TensorIndex.Ellipsis, 0][.., 2..4, TensorIndex.NewAxis]
            + x[.., TensorIndex.Slice(0, 4, 2), 1].Unsqueeze(2)), [4, 3], [OpKind.Slice]),
        new("index-select", () => L(x => x.IndexSelect(1, Tensor.From(3L, 0L, 3L, 1L)) + x.IndexSelect(2, Tensor.From(1L, 1L, 0L))), [4, 3], [OpKind.IndexSelect]),
        // torch.gather's index has the input's rank, batch included: traced with its batch of 2, so the batch is fixed.
        new("gather", () => L(x => x.Gather(1, Tensor.From(new long[] { 2, 0, 1, 1, 2, 0 }, [2, 3]))), [3], [OpKind.Gather], StaticBatch: true),
    ];

    /// <summary>Gives every batch norm non-trivial running statistics and affine values, so eval mode tests something.</summary>
    private static Module WithStats(Module m)
    {
        var g = new Generator(3);
        using (Tensor.NoGrad())
            foreach ((string name, Tensor t) in m.StateDict())
            {
                if (name.EndsWith("running_var", StringComparison.Ordinal)) t.CopyFrom(Tensor.Rand(t.Sizes, g) + 0.5f);
                else if (name.EndsWith("running_mean", StringComparison.Ordinal) || name.EndsWith("bias", StringComparison.Ordinal)) t.CopyFrom(Tensor.Randn(t.Sizes, g) * 0.3f);
                else if (name.EndsWith("weight", StringComparison.Ordinal) && t.NDim == 1) t.CopyFrom(Tensor.Rand(t.Sizes, g) + 0.5f);
            }
        return m;
    }
}
