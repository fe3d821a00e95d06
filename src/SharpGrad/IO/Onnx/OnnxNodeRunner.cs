using SharpGrad.NN;

namespace SharpGrad.IO.Onnx;

/// <summary>
/// Runs one ONNX node with SharpGrad's tensor ops, so the result is differentiable: an imported model trains like any
/// <see cref="Module"/>. Integer tensors that compute shapes (Shape → Gather → Concat → Reshape) run on int64 tensors.
/// </summary>
internal static partial class OnnxNodeRunner
{
    public static void Run(OnnxNode node, Tensor?[] values, OnnxGraph graph, bool training)
    {
        Tensor In(int i) => node.Has(i) && values[node.Inputs[i]] is { } t ? t
            : throw new InvalidDataException($"{graph.Source}: {node.Describe()} needs input {i}, which is missing.");
        Tensor? Optional(int i) => node.Has(i) ? values[node.Inputs[i]] : null;
        Tensor y = node.OpType switch
        {
            "Add" => Arith(In(0), In(1), (a, b) => a + b, (a, b) => a + b),
            "Sub" => Arith(In(0), In(1), (a, b) => a - b, (a, b) => a - b),
            "Mul" => Arith(In(0), In(1), (a, b) => a * b, (a, b) => a * b),
            "Div" => Arith(In(0), In(1), (a, b) => a / b, (a, b) => b == 0 ? throw new DivideByZeroException($"{node.Describe()}: integer division by zero") : a / b),
            "Pow" => In(0).Pow(In(1).Float()),
            "Max" => Fold(node, values, (a, b) => a.Maximum(b)),
            "Min" => Fold(node, values, (a, b) => a.Minimum(b)),
            "Neg" => In(0).Neg(),
            "Exp" => In(0).Exp(),
            "Log" => In(0).Log(),
            "Sqrt" => In(0).Sqrt(),
            "Abs" => In(0).Abs(),
            "Sigmoid" => In(0).Sigmoid(),
            "Tanh" => In(0).Tanh(),
            "Relu" => In(0).Relu(),
            "LeakyRelu" => LeakyRelu(In(0), node.Float("alpha", 0.01f)),
            "Reciprocal" => In(0).Reciprocal(),
            "Sign" => In(0).Sign(),
            "Clip" => Clip(node, In(0), Optional(1), Optional(2), graph.Opset),
            "Equal" => In(0).Eq(In(1)),
            "Greater" => In(0).Gt(In(1)),
            "Less" => In(0).Lt(In(1)),
            "GreaterOrEqual" => In(0).Ge(In(1)),
            "LessOrEqual" => In(0).Le(In(1)),
            "Not" => In(0).Eq(Tensor.Scalar(false)),
            "Where" => Tensor.Where(In(0), In(1), In(2)),
            "Cast" => Cast(node, In(0)),
            "ReduceSum" or "ReduceMean" or "ReduceMax" or "ReduceMin" => Reduce(node, In(0), Optional(1), graph.Opset),
            "Softmax" or "LogSoftmax" => Softmax(node, In(0), graph.Opset),
            "Gemm" => Gemm(node, In(0), In(1), Optional(2)),
            "MatMul" => In(0).MatMul(In(1)),
            "Conv" => Conv(node, In(0), In(1), Optional(2)),
            "BatchNormalization" => BatchNorm(node, In(0), In(1), In(2), In(3), In(4), training),
            "MaxPool" or "AveragePool" => Pool(node, In(0)),
            "GlobalAveragePool" => Global(node, In(0), max: false),
            "GlobalMaxPool" => Global(node, In(0), max: true),
            "Concat" => Tensor.Cat(Enumerable.Range(0, node.Inputs.Length).Where(node.Has).Select(In).ToArray(), Axis(node, node.Int("axis", 0), In(0).NDim)),
            "Flatten" => Flatten(node, In(0)),
            "Reshape" => Reshape(node, In(0), In(1)),
            "Transpose" => Transpose(node, In(0)),
            "Dropout" => Dropout(node, In(0), Optional(1), Optional(2), training),
            "Identity" => In(0),
            "Shape" => Tensor.From(In(0).Shape.ToArray().Select(d => (long)d).ToArray()),
            "Gather" => Gather(node, In(0), In(1)),
            "GatherElements" => In(0).Gather(Axis(node, node.Int("axis", 0), In(0).NDim), In(1).DType == DType.Int64 ? In(1) : In(1).Long()),
            "Unsqueeze" => Unsqueeze(node, In(0), Optional(1)),
            "Squeeze" => Squeeze(node, In(0), Optional(1)),
            "Pad" => Pad(node, In(0), Optional(1), Optional(2), graph.Opset),
            "Slice" => Slice(node, In(0), Optional(1), Optional(2), Optional(3), Optional(4), graph.Opset),
            "Expand" => Expand(In(0), In(1)),
            "Split" => Split(node, In(0), Optional(1), values),
            _ => throw new NotSupportedException($"{graph.Source}: {node.Describe()}: SharpGrad does not run the ONNX op {node.OpType}."),
        };
        values[node.Outputs[0]] = y;
        for (int k = 1; k < node.Outputs.Length; k++)
            if (node.Outputs[k] >= 0 && values[node.Outputs[k]] is null && node.OpType != "Split")
                throw new NotSupportedException($"{graph.Source}: {node.Describe()}: SharpGrad computes only this op's first output, but output {k} ('{node.Proto.Output[k]}') is used.");
    }

    /// <summary>Elementwise arithmetic: float through the differentiable ops, integer (shape arithmetic) on int64 values.</summary>
    private static Tensor Arith(Tensor a, Tensor b, Func<Tensor, Tensor, Tensor> floats, Func<long, long, long> ints)
    {
        if (a.DType == DType.Float32 || b.DType == DType.Float32) return floats(a, b);
        long[] x = a.Long().ToArray<long>(), y = b.Long().ToArray<long>();
        int[] shape = a.Numel >= b.Numel ? a.Shape.ToArray() : b.Shape.ToArray();
        if (x.Length != y.Length && x.Length != 1 && y.Length != 1)
            throw new NotSupportedException($"Integer arithmetic on shapes {a.Shape} and {b.Shape}: SharpGrad broadcasts integer tensors only against one element.");
        var r = new long[Math.Max(x.Length, y.Length)];
        for (int i = 0; i < r.Length; i++) r[i] = ints(x[x.Length == 1 ? 0 : i], y[y.Length == 1 ? 0 : i]);
        return Tensor.From(r, shape);
    }

    private static Tensor Fold(OnnxNode node, Tensor?[] values, Func<Tensor, Tensor, Tensor> op)
    {
        Tensor acc = values[node.Inputs[0]]!;
        for (int i = 1; i < node.Inputs.Length; i++) acc = op(acc, values[node.Inputs[i]]!);
        return acc;
    }

    private static Tensor LeakyRelu(Tensor x, float alpha) => Tensor.Where(x.Ge(0f), x, x * alpha);

    private static Tensor Clip(OnnxNode node, Tensor x, Tensor? min, Tensor? max, int opset)
    {
        float? lo = opset < 11 ? node.Attribute("min") is { } a ? a.F : null : min?.Item();
        float? hi = opset < 11 ? node.Attribute("max") is { } b ? b.F : null : max?.Item();
        return lo is null && hi is null ? x : x.Clamp(lo, hi);
    }

    private static Tensor Cast(OnnxNode node, Tensor x)
    {
        long to = node.Int("to", 0);
        return to switch
        {
            1 => x.Float(),
            7 or 6 => x.Long(),
            9 => x.DType == DType.Bool ? x : x.Ne(0f),
            2 => x.To(DType.UInt8),
            _ => throw new NotSupportedException($"{node.Describe()}: Cast to ONNX element type {to} is not supported (float, int32/int64, bool, uint8 are)."),
        };
    }

    /// <summary>A possibly negative axis of a rank-<paramref name="rank"/> value, checked.</summary>
    private static int Axis(OnnxNode node, long axis, int rank)
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.Max(rank, 1)) throw new InvalidDataException($"{node.Describe()}: axis {axis} is out of range for a value of rank {rank}.");
        return (int)a;
    }

    /// <summary>An int64 tensor's values (shapes, axes, bounds).</summary>
    private static long[] Longs(Tensor t) => t.DType == DType.Int64 ? t.Contiguous().ToArray<long>() : t.Long().ToArray<long>();

    private static Tensor Reduce(OnnxNode node, Tensor x, Tensor? axesInput, int opset)
    {
        bool inputAxes = node.OpType == "ReduceSum" ? opset >= 13 : opset >= 18;
        long[]? axes = inputAxes ? axesInput is null ? null : Longs(axesInput) : node.Ints("axes");
        bool keep = node.Int("keepdims", 1) != 0;
        if (axes is null || axes.Length == 0)
        {
            if (node.Int("noop_with_empty_axes", 0) != 0) return x;
            axes = Enumerable.Range(0, x.NDim).Select(i => (long)i).ToArray();
        }
        int[] dims = axes.Select(a => Axis(node, a, x.NDim)).Distinct().Order().ToArray();
        switch (node.OpType)
        {
            case "ReduceSum": return x.Sum(dims, keep);
            case "ReduceMean": return x.Mean(dims, keep);
        }
        bool max = node.OpType == "ReduceMax";
        Tensor r = x;
        for (int i = dims.Length - 1; i >= 0; i--) r = max ? r.Max(dims[i], keepDim: true).Values : r.Min(dims[i], keepDim: true).Values;
        if (!keep) for (int i = dims.Length - 1; i >= 0; i--) r = r.Squeeze(dims[i]);
        return r;
    }

    private static Tensor Softmax(OnnxNode node, Tensor x, int opset)
    {
        bool log = node.OpType == "LogSoftmax";
        if (opset >= 13)
        {
            int axis = Axis(node, node.Int("axis", -1), x.NDim);
            return log ? x.LogSoftmax(axis) : x.Softmax(axis);
        }
        // Before opset 13 the input is seen as 2-D: dims before axis, dims from axis on.
        int a = Axis(node, node.Int("axis", 1), x.NDim);
        int rows = 1;
        for (int d = 0; d < a; d++) rows *= x.Size(d);
        Tensor flat = x.Reshape(rows, -1);
        return (log ? flat.LogSoftmax(1) : flat.Softmax(1)).Reshape(x.Shape.ToArray());
    }

    private static Tensor Gemm(OnnxNode node, Tensor a, Tensor b, Tensor? c)
    {
        if (node.Int("transA", 0) != 0) a = a.T;
        if (node.Int("transB", 0) != 0) b = b.T;
        Tensor y = a.MatMul(b);
        float alpha = node.Float("alpha", 1f), beta = node.Float("beta", 1f);
        if (alpha != 1f) y = y * alpha;
        if (c is not null && beta != 0f) y = y + (beta == 1f ? c : c * beta);
        return y;
    }

    private static Tensor Flatten(OnnxNode node, Tensor x)
    {
        int axis = (int)(node.Int("axis", 1) is var a && a < 0 ? a + x.NDim : a);
        if (axis < 0 || axis > x.NDim) throw new InvalidDataException($"{node.Describe()}: axis {node.Int("axis", 1)} is out of range for a value of rank {x.NDim}.");
        int rows = 1;
        for (int d = 0; d < axis; d++) rows *= x.Size(d);
        return x.Reshape(rows, rows == 0 ? 0 : x.Numel / rows);
    }

    private static Tensor Reshape(OnnxNode node, Tensor x, Tensor shapeTensor)
    {
        long[] shape = Longs(shapeTensor);
        bool allowZero = node.Int("allowzero", 0) != 0;
        var sizes = new int[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 0 && !allowZero)
            {
                if (i >= x.NDim) throw new InvalidDataException($"{node.Describe()}: shape entry {i} is 0 (copy the input's dim) but the input {x.Shape} has no dim {i}.");
                sizes[i] = x.Size(i);
            }
            else if (shape[i] < -1 || shape[i] > int.MaxValue) throw new InvalidDataException($"{node.Describe()}: invalid target size {shape[i]}.");
            else sizes[i] = (int)shape[i];
        }
        return x.Reshape(sizes);
    }

    private static Tensor Transpose(OnnxNode node, Tensor x)
    {
        long[]? perm = node.Ints("perm");
        int[] p = perm is null ? Enumerable.Range(0, x.NDim).Reverse().ToArray() : perm.Select(v => Axis(node, v, x.NDim)).ToArray();
        return x.Permute(p);
    }

    private static Tensor Dropout(OnnxNode node, Tensor x, Tensor? ratioInput, Tensor? trainingMode, bool training)
    {
        float ratio = ratioInput?.Item() ?? node.Float("ratio", 0.5f);
        bool on = training && (trainingMode is null || trainingMode.Item() != 0) && ratio > 0;
        if (!on) return x;
        Tensor keep = Tensor.Rand(x.Shape.ToArray()).Ge(ratio).Float() * (1f / (1f - ratio));
        return x * keep;
    }
}
