using System.Text.Json;
using SharpGrad.NN;

namespace SharpGrad.Tests.Vision;

/// <summary>
/// Convolution, pooling and batch norm against PyTorch 1.13 (tests/reference/vision.json, computed in float64 from float32
/// inputs): the output (and max-pool indices, batch-norm running statistics) is compared, then (output · grad_output).sum()
/// is back-propagated and every input's gradient compared, at rtol 1e-4, atol 1e-5.
/// </summary>
public class VisionReferenceTests
{
    public static IEnumerable<object[]> Cases() => VisionCase.All.Keys.Select(k => new object[] { k });

    [Fact]
    public void The_reference_file_covers_every_vision_op()
    {
        var ops = VisionCase.All.Values.GroupBy(c => c.Op).ToDictionary(g => g.Key, g => g.Count());
        foreach (string op in new[] { "conv2d", "max_pool2d", "avg_pool2d", "adaptive_max_pool2d", "adaptive_avg_pool2d", "batch_norm" })
            Assert.True(ops.GetValueOrDefault(op) >= 5, $"only {ops.GetValueOrDefault(op)} cases of {op}");
        var conv = VisionCase.All.Values.Where(c => c.Op == "conv2d").ToList();
        Assert.Contains(conv, c => c.Args.GetProperty("groups").GetInt32() == c.Inputs[0].Size(-3) && c.Inputs[0].Size(-3) > 1); // depthwise
        Assert.Contains(conv, c => Pair(c.Args, "dilation") == (2, 2));
        Assert.Contains(conv, c => c.Inputs[1].Size(-1) == 7 && c.Inputs[1].Size(-2) == 7);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_PyTorch(string name)
    {
        VisionCase c = VisionCase.All[name];
        bool[] differentiable = c.Grads.Select(g => g is not null).ToArray();
        Tensor[] inputs = c.Inputs.Select((t, i) => differentiable[i] ? t.Clone().RequiresGrad() : t.Clone()).ToArray();
        (Tensor output, Tensor? indices) = Run(c.Op, c.Args, inputs);
        TensorAssert.Close(c.Output, output, what: $"{name} output");
        if (c.Indices is not null) TensorAssert.Close(c.Indices, indices!, what: $"{name} indices");
        if (c.RunningMeanAfter is not null)
        {
            TensorAssert.Close(c.RunningMeanAfter, inputs[1], what: $"{name} running_mean");
            TensorAssert.Close(c.RunningVarAfter!, inputs[2], what: $"{name} running_var");
        }

        output.Backward(c.GradOutput);
        for (int i = 0; i < inputs.Length; i++)
        {
            if (c.Grads[i] is not Tensor expected) continue;
            Assert.True(inputs[i].Grad is not null, $"{name}: input {i} got no gradient");
            TensorAssert.Close(expected, inputs[i].Grad!, what: $"{name} grad of input {i}");
        }
    }

    private static (int, int) Pair(JsonElement args, string key)
    {
        int[] v = args.GetProperty(key).EnumerateArray().Select(x => x.GetInt32()).ToArray();
        return (v[0], v[1]);
    }

    private static (Tensor Output, Tensor? Indices) Run(string op, JsonElement a, Tensor[] x)
    {
        switch (op)
        {
            case "conv2d":
                return (F.Conv2d(x[0], x[1], x.Length > 2 ? x[2] : null, Pair(a, "stride"), Pair(a, "padding"), Pair(a, "dilation"), a.GetProperty("groups").GetInt32()), null);
            case "max_pool2d":
                return F.MaxPool2dWithIndices(x[0], Pair(a, "kernel"), Pair(a, "stride"), Pair(a, "padding"));
            case "avg_pool2d":
                return (F.AvgPool2d(x[0], Pair(a, "kernel"), Pair(a, "stride"), Pair(a, "padding"), a.GetProperty("count_include_pad").GetBoolean()), null);
            case "adaptive_max_pool2d":
            {
                (int oh, int ow) = Pair(a, "output_size");
                return F.AdaptiveMaxPool2dWithIndices(x[0], oh, ow);
            }
            case "adaptive_avg_pool2d":
            {
                (int oh, int ow) = Pair(a, "output_size");
                return (F.AdaptiveAvgPool2d(x[0], oh, ow), null);
            }
            case "batch_norm":
            {
                bool training = a.GetProperty("training").GetBoolean();
                float momentum = a.GetProperty("momentum").GetSingle(), eps = a.GetProperty("eps").GetSingle();
                if (a.TryGetProperty("untracked", out var u) && u.GetBoolean())
                    return (F.BatchNorm(x[0], null, null, x[1], x[2], training, momentum, eps), null);
                bool affine = a.GetProperty("affine").GetBoolean();
                return (F.BatchNorm(x[0], x[1], x[2], affine ? x[3] : null, affine ? x[4] : null, training, momentum, eps), null);
            }
            default:
                throw new InvalidOperationException($"No C# mapping for vision op '{op}'");
        }
    }
}
