using SharpGrad.NN;
using System.Text.Json;

namespace SharpGrad.Tests;

/// <summary>
/// Every op's forward value and gradient against PyTorch 1.13 (tests/reference/ops.json): the output is compared,
/// then (output · grad_output).sum() is back-propagated and each input's gradient compared, at rtol 1e-4, atol 1e-5.
/// </summary>
public class ReferenceOpTests
{
    public static IEnumerable<object[]> Cases() => ReferenceCase.Names();

    [Fact]
    public void The_reference_file_covers_every_op_family()
    {
        var ops = ReferenceCase.All.Values.Select(c => c.Op).ToHashSet();
        Assert.True(ReferenceCase.All.Count > 500, $"only {ReferenceCase.All.Count} cases");
        foreach (string op in new[] { "add", "mul", "div", "matmul", "sum", "var", "softmax", "log_softmax", "gather", "slice", "where", "cat" })
            Assert.Contains(op, ops);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_PyTorch(string name)
    {
        ReferenceCase c = ReferenceCase.All[name];
        Tensor[] inputs = c.Inputs.Select(t => t.DType == DType.Float32 && c.GradOutput is not null ? t.Clone().RequiresGrad() : t).ToArray();
        (Tensor output, Tensor? indices) = Run(c.Op, c.Args, inputs);
        float atol = name.Contains("large") ? 1e-6f : 1e-5f;
        TensorAssert.Close(c.Output, output, atol: atol, what: $"{name} output");
        if (c.Indices is not null) TensorAssert.Close(c.Indices, indices!, what: $"{name} indices");
        if (c.GradOutput is null) return;

        output.Backward(c.GradOutput);
        for (int i = 0; i < inputs.Length; i++)
        {
            if (c.Grads[i] is not Tensor expected) continue;
            Assert.True(inputs[i].Grad is not null, $"{name}: input {i} got no gradient");
            TensorAssert.Close(expected, inputs[i].Grad!, atol: atol, what: $"{name} grad of input {i}");
        }
    }

    private static int? OptInt(JsonElement args, string key) =>
        args.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null ? v.GetInt32() : null;

    private static float? OptFloat(JsonElement args, string key) =>
        args.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null ? v.GetSingle() : null;

    private static int[]? Dims(JsonElement args, string key = "dims") =>
        args.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetInt32()).ToArray() : null;

    private static bool Bool(JsonElement args, string key) => args.TryGetProperty(key, out var v) && v.GetBoolean();

    private static TensorIndex[] ParseIndex(JsonElement args) =>
        args.GetProperty("index").EnumerateArray().Select(e => e.ValueKind switch
        {
            JsonValueKind.Number => (TensorIndex)e.GetInt32(),
            JsonValueKind.String => TensorIndex.Ellipsis,
            _ => TensorIndex.Slice(OptInt(e, "start"), OptInt(e, "stop"), OptInt(e, "step") ?? 1),
        }).ToArray();

    internal static (Tensor Output, Tensor? Indices) Run(string op, JsonElement a, Tensor[] x)
    {
        Tensor One(Tensor t) => t;
        return op switch
        {
            "neg" => (x[0].Neg(), null),
            "exp" => (x[0].Exp(), null),
            "log" => (x[0].Log(), null),
            "sqrt" => (x[0].Sqrt(), null),
            "abs" => (x[0].Abs(), null),
            "sigmoid" => (x[0].Sigmoid(), null),
            "relu" => (x[0].Relu(), null),
            "tanh" => (x[0].Tanh(), null),
            "square" => (x[0].Square(), null),
            "pow_scalar" => (x[0].Pow(a.GetProperty("exponent").GetSingle()), null),
            "clamp" => (x[0].Clamp(OptFloat(a, "min"), OptFloat(a, "max")), null),
            "mul_scalar" => (x[0] * a.GetProperty("scalar").GetSingle(), null),
            "add_scalar" => (x[0] + a.GetProperty("scalar").GetSingle(), null),
            "rsub_scalar" => (a.GetProperty("scalar").GetSingle() - x[0], null),
            "rdiv_scalar" => (a.GetProperty("scalar").GetSingle() / x[0], null),
            "div_scalar" => (x[0] / a.GetProperty("scalar").GetSingle(), null),
            "add" => (x[0] + x[1], null),
            "sub" => (x[0] - x[1], null),
            "mul" => (x[0] * x[1], null),
            "div" => (x[0] / x[1], null),
            "maximum" => (x[0].Maximum(x[1]), null),
            "minimum" => (x[0].Minimum(x[1]), null),
            "pow" => (x[0].Pow(x[1]), null),
            "gt" => (x[0] > x[1], null),
            "lt" => (x[0] < x[1], null),
            "ge" => (x[0] >= x[1], null),
            "le" => (x[0] <= x[1], null),
            "eq" => (x[0].Eq(x[1]), null),
            "ne" => (x[0].Ne(x[1]), null),
            "where" => (Tensor.Where(x[0], x[1], x[2]), null),
            "sum" => (Dims(a) is int[] d ? x[0].Sum(d, Bool(a, "keepdim")) : x[0].Sum(), null),
            "mean" => (Dims(a) is int[] d ? x[0].Mean(d, Bool(a, "keepdim")) : x[0].Mean(), null),
            "var" => (Dims(a) is int[] d ? x[0].Var(d, Bool(a, "unbiased"), Bool(a, "keepdim")) : x[0].Var(Bool(a, "unbiased")), null),
            "std" => (Dims(a) is int[] d ? x[0].Std(d, Bool(a, "unbiased"), Bool(a, "keepdim")) : x[0].Std(Bool(a, "unbiased")), null),
            "max_dim" => x[0].Max(a.GetProperty("dim").GetInt32(), Bool(a, "keepdim")),
            "min_dim" => x[0].Min(a.GetProperty("dim").GetInt32(), Bool(a, "keepdim")),
            "max_all" => (x[0].Max(), null),
            "min_all" => (x[0].Min(), null),
            "argmax" => (x[0].Argmax(OptInt(a, "dim"), Bool(a, "keepdim")), null),
            "softmax" => (x[0].Softmax(a.GetProperty("dim").GetInt32()), null),
            "log_softmax" => (x[0].LogSoftmax(a.GetProperty("dim").GetInt32()), null),
            "matmul" => (x[0].MatMul(x[1]), null),
            "transpose" => (x[0].Transpose(a.GetProperty("dim0").GetInt32(), a.GetProperty("dim1").GetInt32()), null),
            "permute" => (x[0].Permute(Dims(a)!), null),
            "reshape" => (x[0].Reshape(Dims(a, "shape")!), null),
            "unsqueeze" => (x[0].Unsqueeze(a.GetProperty("dim").GetInt32()), null),
            "squeeze" => (x[0].Squeeze(OptInt(a, "dim")), null),
            "flatten" => (x[0].Flatten(a.GetProperty("start_dim").GetInt32(), a.GetProperty("end_dim").GetInt32()), null),
            "expand" => (x[0].Expand(Dims(a, "shape")!), null),
            "slice" => (x[0][ParseIndex(a)], null),
            "index_tensor" => (x[0][x[1]], null),
            "mask_select" => (x[0][x[1]], null),
            "gather" => (x[0].Gather(a.GetProperty("dim").GetInt32(), x[1]), null),
            "index_select" => (x[0].IndexSelect(a.GetProperty("dim").GetInt32(), x[1]), null),
            "cat" => (Tensor.Cat(x, a.GetProperty("dim").GetInt32()), null),
            "stack" => (Tensor.Stack(x, a.GetProperty("dim").GetInt32()), null),
            "one_hot" => (One(x[0]).OneHot(a.GetProperty("num_classes").GetInt32()), null),
            "l1_loss" => (F.L1Loss(x[0], x[1]), null),
            "mse_loss" => (F.MseLoss(x[0], x[1]), null),
            "bce" => (F.BinaryCrossEntropy(x[0], x[1]), null),
            "bce_logits" => (F.BinaryCrossEntropyWithLogits(x[0], x[1]), null),
            "cross_entropy" => (F.CrossEntropy(x[0], x[1]), null),
            "nll_loss" => (F.NllLoss(x[0], x[1]), null),
            "linear" => (F.Linear(x[0], x[1], x.Length > 2 ? x[2] : null), null),
            _ => throw new InvalidOperationException($"No C# mapping for reference op '{op}'"),
        };
    }
}
