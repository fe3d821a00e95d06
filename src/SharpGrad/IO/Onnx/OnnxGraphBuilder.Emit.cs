using SharpGrad.Kernels;
using static SharpGrad.IO.Onnx.OnnxProtos;

namespace SharpGrad.IO.Onnx;

internal sealed partial class OnnxGraphBuilder
{
    /// <summary>
    /// Peephole fusions decided before emitting: a matrix product with a transposed 2-D weight (a <c>Linear</c>) becomes
    /// one <c>Gemm</c> with <c>transB</c>, taking the bias add after it when that is its only use. The ops folded in are
    /// skipped when their turn comes.
    /// </summary>
    private sealed class Plan
    {
        public HashSet<TracedOp> Skipped { get; } = new(ReferenceEqualityComparer.Instance);
        public Dictionary<TracedOp, Tensor> GemmWeight { get; } = new(ReferenceEqualityComparer.Instance);
        public Dictionary<TracedOp, (TracedOp MatMul, Tensor Bias)> GemmWithBias { get; } = new(ReferenceEqualityComparer.Instance);
    }

    private Plan PlanFusions(List<TracedOp> ops, Tensor output)
    {
        var plan = new Plan();
        var uses = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance) { [output] = 1 };
        foreach (TracedOp op in ops)
            foreach (Tensor t in op.Inputs.Concat(OnnxTracer.ExtraInputs(op)))
                uses[t] = uses.GetValueOrDefault(t) + 1;
        foreach (TracedOp op in ops)
        {
            if (op.Op != OpKind.MatMul || op.Inputs[0].NDim != 2 || op.Inputs[1].NDim != 2) continue;
            if (_trace.ProducerOf(op.Inputs[1]) is not { Op: OpKind.Permute or OpKind.Transpose, Attributes: OpAttributes.Permute { Perm: [1, 0] } } t) continue;
            Tensor weight = t.Inputs[0];
            if (_trace.ProducerOf(weight) is not null || uses.GetValueOrDefault(op.Inputs[1]) != 1) continue;
            plan.Skipped.Add(t);
            plan.GemmWeight[op] = weight;
        }
        foreach (TracedOp op in ops)
        {
            if (op.Op != OpKind.Add) continue;
            for (int side = 0; side < 2; side++)
            {
                Tensor product = op.Inputs[side], bias = op.Inputs[1 - side];
                if (_trace.ProducerOf(product) is not { } mm || !plan.GemmWeight.ContainsKey(mm) || plan.Skipped.Contains(mm)) continue;
                if (uses.GetValueOrDefault(product) != 1 || _trace.ProducerOf(bias) is not null) continue;
                if (bias.NDim != 1 || bias.Sizes[0] != product.Sizes[1] || side != 0) continue; // Gemm adds C after the product: keep a + b's operand order
                plan.Skipped.Add(mm);
                plan.GemmWithBias[op] = (mm, bias);
                break;
            }
        }
        return plan;
    }

    /// <summary>Writes the nodes of one traced op and names its output.</summary>
    private void Emit(TracedOp op, Plan plan)
    {
        Tensor y = op.Output;
        string In(int i) => Value(op.Inputs[i]);
        switch (op.Op)
        {
            case OpKind.Add when plan.GemmWithBias.TryGetValue(op, out var fused):
                Output(y, "Gemm", [Value(fused.MatMul.Inputs[0]), Value(plan.GemmWeight[fused.MatMul]), Value(fused.Bias)], Int("transB", 1));
                break;
            case OpKind.MatMul when plan.GemmWeight.TryGetValue(op, out Tensor? weight):
                Output(y, "Gemm", [In(0), Value(weight)], Int("transB", 1));
                break;
            case OpKind.Add: Output(y, "Add", [In(0), In(1)]); break;
            case OpKind.Sub: Output(y, "Sub", [In(0), In(1)]); break;
            case OpKind.Mul: Output(y, "Mul", [In(0), In(1)]); break;
            case OpKind.Div: Output(y, "Div", [In(0), In(1)]); break;
            case OpKind.Pow: Output(y, "Pow", [In(0), In(1)]); break;
            case OpKind.PowScalar:
                Output(y, "Pow", [In(0), FloatConstant("exponent", ((OpAttributes.Scalar)op.Attributes!).Value)]);
                break;
            case OpKind.Maximum: Output(y, "Max", [In(0), In(1)]); break;
            case OpKind.Minimum: Output(y, "Min", [In(0), In(1)]); break;
            case OpKind.Square: Output(y, "Mul", [In(0), In(0)]); break;
            case OpKind.Neg or OpKind.Exp or OpKind.Log or OpKind.Sqrt or OpKind.Abs or OpKind.Sigmoid or OpKind.Tanh
                or OpKind.Relu or OpKind.Reciprocal or OpKind.Sign:
                Output(y, op.Op.ToString(), [In(0)]);
                break;
            case OpKind.Clamp:
            {
                var c = (OpAttributes.Clamp)op.Attributes!;
                Output(y, "Clip", [In(0), c.Min is float lo ? FloatConstant("min", lo) : "", c.Max is float hi ? FloatConstant("max", hi) : ""]);
                break;
            }
            case OpKind.Compare:
            {
                CompareOp cmp = ((OpAttributes.Compare)op.Attributes!).Op;
                if (cmp == CompareOp.Ne) Output(y, "Not", [Intermediate("Equal", [In(0), In(1)])]);
                else Output(y, cmp switch { CompareOp.Eq => "Equal", CompareOp.Gt => "Greater", CompareOp.Lt => "Less", CompareOp.Ge => "GreaterOrEqual", _ => "LessOrEqual" }, [In(0), In(1)]);
                break;
            }
            case OpKind.Where:
                Output(y, "Where", [Value(((OpAttributes.Where)op.Attributes!).Condition), In(0), In(1)]);
                break;
            case OpKind.Cast:
                Output(y, "Cast", [In(0)], Int("to", ElementType(((OpAttributes.Cast)op.Attributes!).To)));
                break;
            case OpKind.Sum:
            {
                var d = (OpAttributes.Dims)op.Attributes!;
                Output(y, "ReduceSum", [In(0), Int64Constant("axes", ToLongs(d.Value))], Int("keepdims", d.KeepDim ? 1 : 0));
                break;
            }
            case OpKind.MaxDim or OpKind.MinDim or OpKind.MaxAll or OpKind.MinAll:
            {
                bool max = op.Op is OpKind.MaxDim or OpKind.MaxAll;
                var d = op.Attributes as OpAttributes.Dims;
                long[] axes = d is null ? ToLongs(Enumerable.Range(0, op.Inputs[0].NDim).ToArray()) : ToLongs(d.Value);
                var keep = Int("keepdims", d is { KeepDim: true } ? 1 : 0);
                string type = max ? "ReduceMax" : "ReduceMin";
                if (_opset >= 18) Output(y, type, [In(0), Int64Constant("axes", axes)], keep);
                else Output(y, type, [In(0)], Ints("axes", axes), keep);
                break;
            }
            case OpKind.MatMul: Output(y, "MatMul", [In(0), In(1)]); break;
            case OpKind.Conv2d: EmitConv(op); break;
            case OpKind.BatchNorm or OpKind.BatchNormRelu or OpKind.BatchNormAddRelu: EmitBatchNorm(op); break;
            case OpKind.Softmax or OpKind.LogSoftmax:
                Output(y, op.Op.ToString(), [In(0)], Int("axis", ((OpAttributes.Dims)op.Attributes!).Value[0]));
                break;
            case OpKind.MaxPool2d or OpKind.AvgPool2d: EmitPool(op); break;
            case OpKind.AdaptiveAvgPool2d or OpKind.AdaptiveMaxPool2d: EmitAdaptivePool(op); break;
            case OpKind.Cat:
                Output(y, "Concat", op.Inputs.Select(Value).ToArray(), Int("axis", ((OpAttributes.Dims)op.Attributes!).Value[0]));
                break;
            case OpKind.Narrow:
            {
                var n = (OpAttributes.Narrow)op.Attributes!;
                if (n.Dim == 0 && IsDynamic(op.Inputs[0]))
                    throw new NotSupportedException($"ONNX export: Narrow along dim 0 of a value that carries the batch (shape {op.Inputs[0].Shape}) cannot be exported with a dynamic batch; export with dynamicBatch: false.");
                Output(y, "Slice", [In(0), Int64Constant("starts", n.Start), Int64Constant("ends", n.Start + n.Length), Int64Constant("axes", n.Dim)]);
                break;
            }
            case OpKind.Clone or OpKind.ToDevice:
                _names[y] = In(0); // a copy in memory (or on another device), the same value in a graph
                break;
            case OpKind.View: EmitReshape(op); break;
            case OpKind.Transpose or OpKind.Permute:
                Output(y, "Transpose", [In(0)], Ints("perm", ToLongs(((OpAttributes.Permute)op.Attributes!).Perm)));
                break;
            case OpKind.Unsqueeze:
                Output(y, "Unsqueeze", [In(0), Int64Constant("axes", ToLongs(((OpAttributes.Axes)op.Attributes!).Value))]);
                break;
            case OpKind.Squeeze:
            {
                int[] axes = ((OpAttributes.Axes)op.Attributes!).Value;
                if (axes.Contains(0) && IsDynamic(op.Inputs[0]))
                    throw new NotSupportedException($"ONNX export: Squeeze removes dim 0 of a value that carries the batch (shape {op.Inputs[0].Shape}): " +
                        "trace with a sample batch of 2 or more, squeeze a named dim other than 0, or export with dynamicBatch: false.");
                if (axes.Length == 0) _names[y] = In(0);
                else Output(y, "Squeeze", [In(0), Int64Constant("axes", ToLongs(axes))]);
                break;
            }
            case OpKind.Expand: EmitExpand(op); break;
            case OpKind.Slice: EmitSlice(op); break;
            case OpKind.IndexSelect:
            {
                var x = (OpAttributes.Indexed)op.Attributes!;
                Output(y, "Gather", [In(0), Value(x.Index)], Int("axis", x.Dim));
                break;
            }
            case OpKind.Gather:
            {
                var x = (OpAttributes.Indexed)op.Attributes!;
                Output(y, "GatherElements", [In(0), Value(x.Index)], Int("axis", x.Dim));
                break;
            }
            default:
                throw new InvalidOperationException($"Internal error: ONNX export has no emitter for {op.Op}, which OnnxOps lists as exportable.");
        }
    }

    private static long[] ToLongs(int[] values) => Array.ConvertAll(values, v => (long)v);

    /// <summary>Whether <paramref name="t"/>'s first dim is the dynamic batch.</summary>
    private bool IsDynamic(Tensor t) => _dynamicBatch && _batched.Contains(t);

    private void EmitConv(TracedOp op)
    {
        var c = (OpAttributes.Conv)op.Attributes!;
        if (op.Inputs[0].NDim != 4)
            throw new NotSupportedException($"ONNX export: Conv2d on an unbatched input of shape {op.Inputs[0].Shape}; export a model that takes (N, C, H, W).");
        Tensor w = op.Inputs[1];
        Output(op.Output, "Conv", op.Inputs.Select(Value).ToArray(),
            Ints("kernel_shape", w.Sizes[2], w.Sizes[3]), Ints("strides", c.Stride.H, c.Stride.W),
            Ints("pads", c.Padding.H, c.Padding.W, c.Padding.H, c.Padding.W), Ints("dilations", c.Dilation.H, c.Dilation.W), Int("group", c.Groups));
    }

    private void EmitBatchNorm(TracedOp op)
    {
        var bn = (OpAttributes.BatchNorm)op.Attributes!;
        if (bn.Training || bn.RunningMean is null || bn.RunningVar is null)
            throw new NotSupportedException($"ONNX export: a batch norm over shape {op.Inputs[0].Shape} normalises with batch statistics " +
                "(it has no running statistics); ONNX's BatchNormalization uses stored ones. Track running statistics to export it.");
        int c = op.Inputs[0].Sizes[1];
        int next = 1;
        string scale = bn.HasWeight ? In(next++) : FloatConstant("scale", 1f, c);
        string bias = bn.HasBias ? In(next++) : FloatConstant("bias", 0f, c);
        string[] inputs = [Value(op.Inputs[0]), scale, bias, Value(bn.RunningMean), Value(bn.RunningVar)];
        var eps = Float("epsilon", bn.Eps);
        switch (op.Op)
        {
            case OpKind.BatchNorm:
                Output(op.Output, "BatchNormalization", inputs, eps);
                break;
            case OpKind.BatchNormRelu:
                Output(op.Output, "Relu", [Intermediate("BatchNormalization", inputs, eps)]);
                break;
            default:
                string sum = Intermediate("Add", [Intermediate("BatchNormalization", inputs, eps), In(next)]);
                Output(op.Output, "Relu", [sum]);
                break;
        }

        string In(int i) => Value(op.Inputs[i]);
    }

    private void EmitPool(TracedOp op)
    {
        var p = (OpAttributes.Pool)op.Attributes!;
        if (op.Inputs[0].NDim != 4)
            throw new NotSupportedException($"ONNX export: {op.Op} on an unbatched input of shape {op.Inputs[0].Shape}; export a model that takes (N, C, H, W).");
        var attrs = new List<Proto.AttributeProto>
        {
            Ints("kernel_shape", p.Kernel.H, p.Kernel.W), Ints("strides", p.Stride.H, p.Stride.W),
            Ints("pads", p.Padding.H, p.Padding.W, p.Padding.H, p.Padding.W),
        };
        if (op.Op == OpKind.AvgPool2d) attrs.Add(Int("count_include_pad", p.CountIncludePad ? 1 : 0));
        Output(op.Output, op.Op == OpKind.MaxPool2d ? "MaxPool" : "AveragePool", [Value(op.Inputs[0])], attrs.ToArray());
    }

    private void EmitAdaptivePool(TracedOp op)
    {
        var a = (OpAttributes.AdaptivePool)op.Attributes!;
        Tensor x = op.Inputs[0];
        bool max = op.Op == OpKind.AdaptiveMaxPool2d;
        if (x.NDim != 4)
            throw new NotSupportedException($"ONNX export: {op.Op} on an unbatched input of shape {x.Shape}; export a model that takes (N, C, H, W).");
        if (a.OutH == 1 && a.OutW == 1)
        {
            Output(op.Output, max ? "GlobalMaxPool" : "GlobalAveragePool", [Value(x)]);
            return;
        }
        int h = x.Sizes[2], w = x.Sizes[3];
        if (h % a.OutH != 0 || w % a.OutW != 0)
            throw new NotSupportedException($"ONNX export: {op.Op} from {h}x{w} to {a.OutH}x{a.OutW} has windows of different sizes, which no ONNX pool expresses; " +
                "use an output size that divides the input, or 1.");
        int kh = h / a.OutH, kw = w / a.OutW;
        Output(op.Output, max ? "MaxPool" : "AveragePool", [Value(x)], Ints("kernel_shape", kh, kw), Ints("strides", kh, kw));
    }

    private void EmitReshape(TracedOp op)
    {
        Tensor x = op.Inputs[0], y = op.Output;
        long[] shape = ToLongs(y.Sizes);
        if (IsDynamic(x) && shape.Length > 0)
        {
            // The batch may differ at run time: let dim 0 be inferred from the others, which must not involve it.
            if (shape[0] % Batch != 0)
                throw new NotSupportedException($"ONNX export: reshaping {x.Shape} to {y.Shape} moves the batch ({Batch}) out of dim 0; " +
                    "keep the batch first, or export with dynamicBatch: false.");
            shape[0] = -1;
        }
        Output(y, "Reshape", [Value(x), Int64Constant("shape", shape)]);
    }

    private void EmitSlice(TracedOp op)
    {
        var s = (OpAttributes.Slices)op.Attributes!;
        Tensor x = op.Inputs[0];
        if (IsDynamic(x) && s.Axes.Contains(0))
            throw new NotSupportedException($"ONNX export: indexing dim 0 of a value that carries the batch (shape {x.Shape}) cannot be exported with a dynamic batch; " +
                "index another dim, or export with dynamicBatch: false.");
        string v = Value(x);
        if (s.Axes.Length > 0)
            v = Intermediate("Slice", [v, Int64Constant("starts", ToLongs(s.Starts)), Int64Constant("ends", ToLongs(s.Ends)),
                Int64Constant("axes", ToLongs(s.Axes)), Int64Constant("steps", ToLongs(s.Steps))]);
        if (s.Squeezed.Length > 0) v = Intermediate("Squeeze", [v, Int64Constant("axes", ToLongs(s.Squeezed))]);
        if (s.NewAxes.Length > 0) v = Intermediate("Unsqueeze", [v, Int64Constant("axes", ToLongs(s.NewAxes))]);
        if (s.Axes.Length == 0 && s.Squeezed.Length == 0 && s.NewAxes.Length == 0) v = Intermediate("Identity", [v]);
        _names[op.Output] = v;
    }

    private void EmitExpand(TracedOp op)
    {
        Tensor x = op.Inputs[0], y = op.Output;
        long[] shape = ToLongs(y.Sizes);
        if (IsDynamic(x))
        {
            if (x.NDim != y.NDim || x.Sizes[0] != y.Sizes[0])
                throw new NotSupportedException($"ONNX export: expanding {x.Shape} to {y.Shape} changes the batch dim; export with dynamicBatch: false.");
            shape[0] = 1; // Expand broadcasts: 1 keeps the input's (run-time) batch
        }
        Output(y, "Expand", [Value(x), Int64Constant("shape", shape)]);
    }
}
