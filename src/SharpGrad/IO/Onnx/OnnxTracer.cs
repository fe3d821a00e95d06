using System.Diagnostics;
using SharpGrad.NN;

namespace SharpGrad.IO.Onnx;

/// <summary>One op seen while tracing: what it computed, from what, with which attributes.</summary>
internal sealed record TracedOp(int Index, OpKind Op, Tensor Output, Tensor[] Inputs, object? Attributes, StackTrace? Stack);

/// <summary>
/// Collects every op a model performs on one forward pass (see <see cref="OpTrace"/>). Ops inside ops are seen too
/// (an op reports its helpers first and itself last for the same output); the graph is read back from the model's
/// output, so only the outermost producer of each tensor and only ops the output depends on count.
/// </summary>
internal sealed class OnnxTracer : IOpTracer
{
    private readonly Dictionary<Tensor, TracedOp> _producers = new(ReferenceEqualityComparer.Instance);
    private readonly List<TracedOp> _ops = [];
    private readonly HashSet<Tensor> _derived = new(ReferenceEqualityComparer.Instance);

    /// <summary>A tracer for a forward pass on <paramref name="input"/>.</summary>
    public OnnxTracer(Tensor input) => _derived.Add(input);

    /// <inheritdoc/>
    public void OnOp(OpKind op, Tensor output, Tensor[] inputs, object? attributes)
    {
        // A stack is kept only for ops without an ONNX mapping, to name the module in the error if the output needs them.
        StackTrace? stack = OnnxOps.IsExportable(op) ? null : new StackTrace(1, false);
        var traced = new TracedOp(_ops.Count, op, output, inputs, attributes, stack);
        _ops.Add(traced);
        _producers[output] = traced;
        if (inputs.Any(_derived.Contains) || ExtraInputs(traced).Any(_derived.Contains)) _derived.Add(output);
    }

    /// <summary>The op that last produced <paramref name="t"/>, or null for a tensor made outside any op (a leaf).</summary>
    public TracedOp? ProducerOf(Tensor t) => _producers.GetValueOrDefault(t);

    /// <summary>Whether <paramref name="t"/> shares memory with the input or a value computed from it (as a detached copy of one does).</summary>
    public bool SharesStorageWithDerived(Tensor t)
    {
        foreach (Tensor d in _derived)
            if (d.SharesStorageWith(t)) return true;
        return false;
    }

    /// <summary>
    /// The ops <paramref name="output"/> depends on, in the order they ran; leaves (inputs, parameters, constants) are
    /// what their inputs reach without a producer.
    /// </summary>
    public List<TracedOp> OpsFor(Tensor output)
    {
        var needed = new HashSet<TracedOp>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Tensor>();
        stack.Push(output);
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        while (stack.Count > 0)
        {
            Tensor t = stack.Pop();
            if (!seen.Add(t) || ProducerOf(t) is not { } op || !needed.Add(op)) continue;
            foreach (Tensor input in op.Inputs) stack.Push(input);
            foreach (Tensor extra in ExtraInputs(op)) stack.Push(extra);
        }
        return needed.OrderBy(o => o.Index).ToList();
    }

    /// <summary>Tensors an op reads that are not autograd inputs: batch norm's statistics, where's condition.</summary>
    public static IEnumerable<Tensor> ExtraInputs(TracedOp op)
    {
        switch (op.Attributes)
        {
            case OpAttributes.BatchNorm { RunningMean: { } m, RunningVar: { } v }:
                yield return m;
                yield return v;
                break;
            case OpAttributes.Where w:
                yield return w.Condition;
                break;
            case OpAttributes.Indexed x:
                yield return x.Index;
                break;
        }
    }

    /// <summary>"MyBlock.Forward (module 'body.3')": where in <paramref name="model"/> an op ran, from its stack.</summary>
    public static string DescribeOrigin(TracedOp op, Module model)
    {
        if (op.Stack is null) return "an unknown module";
        var modules = model.NamedModules().ToList();
        foreach (StackFrame frame in op.Stack.GetFrames())
        {
            // The innermost frame in a method of one of the model's module types is the module that ran the op.
            if (DiagnosticMethodInfo.Create(frame) is not { } method) continue;
            var names = modules.Where(m => m.Module.GetType().FullName == method.DeclaringTypeName)
                .Select(m => m.Name.Length == 0 ? "the model itself" : $"'{m.Name}'").ToList();
            if (names.Count == 0) continue;
            string typeName = method.DeclaringTypeName[(method.DeclaringTypeName.LastIndexOf('.') + 1)..];
            string which = names.Count == 1 ? names[0] : $"one of {string.Join(", ", names.Take(5))}{(names.Count > 5 ? ", ..." : "")}";
            return $"{typeName}.{method.Name} ({which})";
        }
        return "an unknown module";
    }
}
