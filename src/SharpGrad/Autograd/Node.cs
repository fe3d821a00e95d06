namespace SharpGrad.Autograd;

/// <summary>
/// Computes the gradients of an op's inputs from the gradient of its output.
/// Entries for inputs that do not require grad may be null.
/// </summary>
internal delegate Tensor?[] BackwardRule(Tensor gradOutput);

/// <summary>
/// One recorded op in the autograd graph: the tensors it consumed and the rule that maps the gradient of its
/// output to gradients of those inputs. A non-leaf tensor points at the node that produced it.
/// </summary>
internal sealed class Node
{
    private BackwardRule? _rule;

    public Node(OpKind op, Tensor[] inputs, BackwardRule rule, Array? outputStorage)
    {
        OutputStorage = outputStorage;
        Op = op;
        Inputs = inputs;
        _rule = rule;
    }

    /// <summary>PyTorch-style name, e.g. <c>MulBackward0</c>, shown when printing a tensor's grad_fn.</summary>
    public string Name => Op.TorchName();

    /// <summary>The op that produced the node's output.</summary>
    public OpKind Op { get; }

    public Tensor[] Inputs { get; private set; }

    /// <summary>The memory of the op's output, which its backward rule may read (ReLU's mask, division's quotient); null once freed.</summary>
    public Array? OutputStorage { get; private set; }

    /// <summary>Gradient accumulated for this node's output during one backward pass.</summary>
    public Tensor? PendingGrad { get; set; }

    public bool IsFreed => _rule is null;

    /// <summary>The backward pass that last visited this node (a stamp instead of a hash set in the graph walk).</summary>
    public long VisitedBy;

    public Tensor?[] Apply(Tensor gradOutput)
    {
        BackwardRule rule = _rule ?? throw new InvalidOperationException(
            $"Trying to backward through the graph a second time ({Name}): its saved values were freed after the first Backward(). " +
            "Recompute the forward pass, or call Backward(retainGraph: true) the first time.");
        return rule(gradOutput);
    }

    /// <summary>Drops the saved tensors so their memory can be reclaimed (PyTorch frees the graph after backward).</summary>
    public void Free()
    {
        _rule = null;
        OutputStorage = null;
    }
}
