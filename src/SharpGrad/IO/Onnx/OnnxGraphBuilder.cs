using SharpGrad.IO.Onnx.Proto;
using SharpGrad.NN;
using static SharpGrad.IO.Onnx.OnnxProtos;

namespace SharpGrad.IO.Onnx;

/// <summary>
/// Turns a trace into an ONNX graph: values get names (the input <c>input</c>, parameters and buffers their state-dict
/// names as initializers, the result <c>output</c>), each traced op becomes one or a few ONNX nodes
/// (<see cref="OnnxOps"/>), and tensors the model made itself become <c>Constant</c> nodes.
/// </summary>
internal sealed partial class OnnxGraphBuilder
{
    private readonly OnnxTracer _trace;
    private readonly Module _model;
    private readonly Tensor _input;
    private readonly int _opset;
    private readonly bool _dynamicBatch;
    private readonly Dictionary<Tensor, string> _names = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Tensor, string> _stateNames = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<Tensor> _batched = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, int> _counts = [];

    public OnnxGraphBuilder(OnnxTracer trace, Module model, Tensor input, int opset, bool dynamicBatch)
    {
        _trace = trace;
        _model = model;
        _input = input;
        _opset = opset;
        _dynamicBatch = dynamicBatch;
        foreach ((string name, Tensor p) in model.NamedParameters()) _stateNames.TryAdd(p, name);
        foreach ((string name, Tensor b) in model.NamedBuffers()) _stateNames.TryAdd(b, name);
    }

    /// <summary>The graph being built.</summary>
    public GraphProto Graph { get; } = new() { Name = "sharpgrad" };

    /// <summary>The sample's batch size: the size that becomes the named dim <c>batch</c>.</summary>
    private int Batch => _input.Sizes[0];

    /// <summary>Builds the graph computing <paramref name="output"/> from the traced input.</summary>
    public void Build(Tensor output, CancellationToken cancellationToken)
    {
        _names[_input] = "input";
        _batched.Add(_input);
        Graph.Input.Add(ValueInfo("input", _input.DType, Dims(_input, batched: true)));
        if (ReferenceEquals(output, _input))
            throw new NotSupportedException("ONNX export: the model returns its input unchanged; there is nothing to export.");
        if (_trace.ProducerOf(output) is null)
            throw new NotSupportedException($"ONNX export: the model's output (shape {output.Shape}) was not computed by a traced op from the input " +
                "(was it detached, or rebuilt from an array?); export needs the output to come from tensor ops.");

        List<TracedOp> ops = _trace.OpsFor(output);
        Plan plan = PlanFusions(ops, output);
        foreach (TracedOp op in ops)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (IsBatchedResult(op)) _batched.Add(op.Output); // for folded ops too: their consumers ask
            if (plan.Skipped.Contains(op)) continue;
            if (!OnnxOps.IsExportable(op.Op))
                throw new NotSupportedException($"ONNX export: the op {op.Op} has no ONNX mapping ({OnnxOps.Unsupported[op.Op]}); " +
                    $"it ran in {OnnxTracer.DescribeOrigin(op, _model)}. Replace it with ops that export, or export a model without it.");
            Emit(op, plan);
        }

        // The graph output gets the plain name 'output': rename the last node's output (or add an Identity).
        string last = Value(output);
        NodeProto? producer = Graph.Node.LastOrDefault(n => n.Output.Contains(last));
        if (producer is not null && !Graph.Input.Any(i => i.Name == last) && !Graph.Initializer.Any(i => i.Name == last))
        {
            foreach (NodeProto node in Graph.Node)
                for (int i = 0; i < node.Input.Count; i++)
                    if (node.Input[i] == last) node.Input[i] = "output";
            for (int i = 0; i < producer.Output.Count; i++)
                if (producer.Output[i] == last) producer.Output[i] = "output";
        }
        else
        {
            Node("Identity", [last], ["output"]);
        }
        Graph.Output.Add(ValueInfo("output", output.DType, Dims(output, _batched.Contains(output))));

        // Initializers in state-dict order, as a reader of the file expects them.
        var order = _stateNames.Values.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i);
        var sorted = Graph.Initializer.OrderBy(i => order.GetValueOrDefault(i.Name, int.MaxValue)).ToList();
        Graph.Initializer.Clear();
        Graph.Initializer.AddRange(sorted);
    }

    /// <summary>The dims of a value as declared in the graph: the batch dim named when the value carries the batch.</summary>
    private List<int?> Dims(Tensor t, bool batched)
    {
        var dims = new List<int?>(t.NDim);
        for (int d = 0; d < t.NDim; d++) dims.Add(d == 0 && batched && _dynamicBatch && t.Sizes[0] == Batch ? null : t.Sizes[d]);
        return dims;
    }

    /// <summary>
    /// Whether an op's output still has the batch as its first dim: when an input does, unless the op reduces or
    /// squeezes dim 0 away.
    /// </summary>
    private bool IsBatchedResult(TracedOp op)
    {
        if (!op.Inputs.Any(_batched.Contains) && !OnnxTracer.ExtraInputs(op).Any(_batched.Contains)) return false;
        return op.Attributes switch
        {
            OpAttributes.Dims d when op.Op is OpKind.Sum or OpKind.MaxDim or OpKind.MinDim => !d.Value.Contains(0),
            OpAttributes.Indexed x => x.Dim != 0 || op.Op == OpKind.Gather && _batched.Contains(x.Index),
            OpAttributes.Axes a when op.Op == OpKind.Squeeze => !a.Value.Contains(0),
            OpAttributes.Slices s => !s.Squeezed.Contains(0) && !s.NewAxes.Contains(0),
            OpAttributes.Permute p => p.Perm.Length > 0 && p.Perm[0] == 0,
            _ => op.Op is not (OpKind.MaxAll or OpKind.MinAll),
        };
    }

    /// <summary>The ONNX name of <paramref name="t"/>: an op's output, the input, a parameter or buffer (added as an initializer), or a constant.</summary>
    private string Value(Tensor t)
    {
        if (_names.TryGetValue(t, out string? name)) return name;
        if (_stateNames.TryGetValue(t, out string? state))
        {
            Graph.Initializer.Add(FromTensor(state, t));
            return _names[t] = state;
        }
        if (_trace.ProducerOf(t) is { } op)
            throw new InvalidOperationException($"Internal error: ONNX export reached the {op.Op} output before emitting it.");
        if (_trace.SharesStorageWithDerived(t))
            throw new NotSupportedException($"ONNX export: a tensor of shape {t.Shape} is computed from the input without a traced op " +
                "(a Detach(), an array round trip or an op that does not report to the tracer); it would be frozen into the graph as a constant.");
        string constant = Fresh("const");
        Node("Constant", [], [constant], TensorValue("value", FromTensor(constant, t)));
        return _names[t] = constant;
    }

    /// <summary>A fresh value name: <c>hint_N</c>.</summary>
    private string Fresh(string hint)
    {
        int n = _counts.GetValueOrDefault(hint);
        _counts[hint] = n + 1;
        return $"{hint}_{n}";
    }

    /// <summary>Adds a node; its name is its op type and a counter, as exporters usually name them.</summary>
    private NodeProto Node(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = Fresh(opType) };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return node;
    }

    /// <summary>A node with one new output for <paramref name="result"/>; returns that output's name.</summary>
    private string Output(Tensor result, string opType, string[] inputs, params AttributeProto[] attributes)
    {
        string name = Fresh(opType.ToLowerInvariant());
        Node(opType, inputs, [name], attributes);
        return _names[result] = name;
    }

    /// <summary>A node with one new intermediate output (not any traced tensor); returns its name.</summary>
    private string Intermediate(string opType, string[] inputs, params AttributeProto[] attributes)
    {
        string name = Fresh(opType.ToLowerInvariant());
        Node(opType, inputs, [name], attributes);
        return name;
    }

    /// <summary>A 1-D int64 constant (shapes, axes, slice bounds).</summary>
    private string Int64Constant(string hint, params long[] values)
    {
        string name = Fresh(hint);
        Node("Constant", [], [name], TensorValue("value", Int64s(name, values)));
        return name;
    }

    /// <summary>A float constant of <paramref name="shape"/> filled with <paramref name="value"/>.</summary>
    private string FloatConstant(string hint, float value, params int[] shape)
    {
        string name = Fresh(hint);
        Node("Constant", [], [name], TensorValue("value", FromTensor(name, Tensor.Full(shape, value))));
        return name;
    }
}
