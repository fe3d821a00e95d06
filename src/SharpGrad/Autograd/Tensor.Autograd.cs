using SharpGrad.Autograd;

namespace SharpGrad;

public sealed partial class Tensor
{
    private bool _requiresGrad;
    internal Node? GradFn;

    /// <summary>
    /// Whether gradients flow to this tensor: set on leaves with <see cref="RequiresGrad(bool)"/>, inherited by every
    /// tensor computed from one while grad mode is on.
    /// </summary>
    public bool RequiresGradient => _requiresGrad;

    /// <summary>True for tensors the user created (or detached), false for results of recorded ops.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>The gradient accumulated by <see cref="Backward(Tensor?, bool)"/> on a leaf that requires grad; null until then. Settable, e.g. to null to reset it.</summary>
    public Tensor? Grad
    {
        get => _grad;
        set
        {
            _grad = value;
            value?.Keep(); // a gradient outlives the TensorScope of the backward pass that made it
        }
    }

    private Tensor? _grad;

    /// <summary>The name of the op that produced this tensor (PyTorch's <c>grad_fn</c>), or null for a leaf.</summary>
    public string? GradFnName => GradFn?.Name;

    /// <summary>Marks a leaf tensor as needing gradients (PyTorch's <c>requires_grad_()</c>) and returns it.</summary>
    public Tensor RequiresGrad(bool requiresGrad = true)
    {
        if (!IsLeaf)
            throw new InvalidOperationException($"RequiresGrad() can only be changed on leaf tensors; this one was produced by {GradFn!.Name}. Use Detach() to get a leaf.");
        if (requiresGrad && DType != DType.Float32)
            throw new InvalidOperationException($"Only float tensors can require gradients, but this one is {DType.TorchName()}. Convert it with Float() first.");
        _requiresGrad = requiresGrad;
        return this;
    }

    /// <summary>Turns gradient recording off until the returned scope is disposed: <c>using (Tensor.NoGrad()) { … }</c>.</summary>
    public static GradModeScope NoGrad() => new(false);

    /// <summary>Turns gradient recording back on inside a <see cref="NoGrad"/> block.</summary>
    public static GradModeScope EnableGrad() => new(true);

    /// <summary>Whether ops are currently being recorded for backward on this thread.</summary>
    public static bool IsGradEnabled => GradMode.IsEnabled;

    /// <summary>A leaf that shares this tensor's storage but is cut from the graph.</summary>
    public Tensor Detach() => new(Storage, Sizes, Strides, Offset, DType);

    /// <summary>
    /// Attaches <paramref name="result"/> to the graph when grad mode is on and any input requires grad.
    /// Returns <paramref name="result"/> for chaining. <paramref name="readsOutput"/>: whether the rule reads the
    /// result's memory; when not, a backward pass that frees saved memory may give it back before the rule runs.
    /// </summary>
    internal static Tensor Record(Tensor result, OpKind op, Tensor[] inputs, BackwardRule rule, object? attributes = null, bool readsOutput = true)
    {
        OpTrace.Current?.OnOp(op, result, inputs, attributes);
        if (!GradMode.IsEnabled) return result;
        bool any = false;
        foreach (Tensor t in inputs) any |= t._requiresGrad;
        if (!any) return result;
        result._requiresGrad = true;
        result.GradFn = new Node(op, inputs, rule, readsOutput ? result.Storage : null);
        return result;
    }

    internal static Tensor Record(Tensor result, OpKind op, Tensor input, Func<Tensor, Tensor> rule, object? attributes = null) =>
        Record(result, op, [input], g => [rule(g)], attributes);

    /// <summary>
    /// Computes the gradient of this tensor with respect to every leaf that requires grad and adds it to their
    /// <see cref="Grad"/> (gradients accumulate across calls, as in PyTorch).
    /// </summary>
    /// <param name="gradient">d(something)/d(this), same shape as this tensor; may be omitted only for a one-element tensor (then 1).</param>
    /// <param name="retainGraph">Keep the graph's saved values so Backward can run through it again.</param>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) => Backward(gradient, retainGraph, freeSavedExcept: null);

    /// <summary>
    /// <see cref="Backward(Tensor?, bool)"/>; with <paramref name="freeSavedExcept"/>, inside a <see cref="TensorScope"/>,
    /// also gives back the memory of the forward pass's tensors as soon as the last node that saved them has run, as
    /// PyTorch frees saved tensors with their nodes: a training step's peak then holds the activations still ahead and
    /// the gradients at hand, not every activation of the step. A tensor whose memory went back reads as released.
    /// Only for a caller that knows which of the step's tensors are read afterwards (the Learner: its prediction, loss,
    /// inputs and targets, given in <paramref name="freeSavedExcept"/>); a model that keeps an activation of its own to
    /// read after backward must call Keep() on it.
    /// </summary>
    internal void Backward(Tensor? gradient, bool retainGraph, IReadOnlyList<Tensor>? freeSavedExcept)
    {
        if (!_requiresGrad)
            throw new InvalidOperationException(
                "Backward() was called on a tensor that does not require grad and has no grad_fn. " +
                "Call RequiresGrad() on the parameters before computing from them, and do not compute the loss inside Tensor.NoGrad().");
        bool seeded = gradient is null;
        if (gradient is null)
        {
            if (Numel != 1)
                throw new InvalidOperationException($"Backward() without a gradient needs a one-element (scalar) output, but this tensor has shape {Shape}. Pass Backward(gradient) with that shape, or reduce it first (e.g. Sum()).");
            gradient = OnesLike(this);
        }
        else if (gradient.Shape != Shape)
        {
            throw new ArgumentException($"Backward(): the gradient has shape {gradient.Shape} but the tensor has shape {Shape}.");
        }

        using var _ = NoGrad();
        // Storages already handed to a leaf as its .Grad in this pass: a gradient tensor shared by two leaves (or the
        // caller's own gradient argument) is copied, so a later in-place accumulation cannot change the other.
        var owned = new List<Array> { gradient.Storage };
        if (GradFn is null)
        {
            AccumulateGrad(this, gradient, owned);
            return;
        }

        List<Node> order = TopologicalOrder(GradFn);
        GradFn.PendingGrad = gradient;
        // Inside a TensorScope, an intermediate gradient's buffer goes back to the pool as soon as the node it flows into
        // has used it (PyTorch frees it when its last reference goes); without this every gradient of every activation
        // stayed allocated until the batch ended, about doubling a training step's peak memory. Only buffers this pass
        // allocated are returned, and only when no pending gradient still shares them (views, the same gradient passed to
        // two inputs); gradients that become a leaf's .Grad are kept.
        HashSet<Array>? mine = retainGraph ? null : TensorScope.RecordAllocations();
        var refs = mine is null ? null : new Dictionary<Array, int>(ReferenceEqualityComparer.Instance);
        SavedMemory? saved = mine is not null && freeSavedExcept is not null ? new SavedMemory(order, [this, gradient, .. freeSavedExcept]) : null;
        try
        {
            foreach (Node node in order)
            {
                Tensor? g = node.PendingGrad;
                node.PendingGrad = null;
                if (g is null) continue;
                TensorScope.ClearLatest();
                Tensor?[] grads = node.Apply(g);
                for (int i = 0; i < node.Inputs.Length; i++)
                {
                    Tensor input = node.Inputs[i];
                    Tensor? gi = grads[i];
                    if (gi is null || !input._requiresGrad) continue;
                    if (gi.Shape != input.Shape)
                        throw new InvalidOperationException($"Internal error: {node.Name} produced a gradient of shape {gi.Shape} for an input of shape {input.Shape}.");
                    if (input.GradFn is null)
                    {
                        AccumulateGrad(input, gi, owned);
                        continue;
                    }
                    Tensor? before = input.GradFn.PendingGrad;
                    Tensor pending = before is null ? gi : before.Add(gi);
                    input.GradFn.PendingGrad = pending;
                    if (refs is not null)
                    {
                        refs[pending.Storage] = refs.GetValueOrDefault(pending.Storage) + 1;
                        if (before is not null) Unref(before.Storage, refs, mine!, owned);
                    }
                }
                Array? outputStorage = node.OutputStorage;
                if (!retainGraph) node.Free();
                if (refs is not null)
                {
                    Unref(g.Storage, refs, mine!, owned);
                    ReleaseTemporaries(TensorScope.Latest!, refs, mine!, owned);
                }
                saved?.Done(node, outputStorage, refs!, owned);
            }
            // The ones this pass made to start from: no gradient reads it any more.
            if (seeded && refs is not null && !refs.ContainsKey(gradient.Storage)) TensorScope.ReleaseSaved(gradient.Storage);
        }
        finally
        {
            if (mine is not null) TensorScope.StopRecording();
        }
    }

    /// <summary>
    /// Returns the buffers a node's rule (and the accumulation after it) allocated that no pending gradient and no leaf
    /// holds: the rule's temporaries (batch norm's masked gradient, a contiguous copy) and gradients already added into a
    /// leaf's .Grad. Without this they lived until the batch's scope ended, each holding an activation-sized buffer. Their
    /// tensors read as released, so a rule that kept one past its node would throw rather than read reused memory.
    /// </summary>
    private static void ReleaseTemporaries(List<Array> latest, Dictionary<Array, int> refs, HashSet<Array> mine, List<Array> owned)
    {
        foreach (Array storage in latest)
        {
            if (refs.ContainsKey(storage) || !mine.Contains(storage) || Holds(owned, storage)) continue;
            mine.Remove(storage);
            TensorScope.ReleaseSaved(storage);
        }
        latest.Clear();
    }

    /// <summary>Whether <paramref name="storage"/> is one of <paramref name="owned"/> (the caller's gradient and the leaves' .Grad buffers of this pass), by reference.</summary>
    private static bool Holds(List<Array> owned, Array storage)
    {
        foreach (Array a in owned)
            if (ReferenceEquals(a, storage)) return true;
        return false;
    }

    /// <summary>Drops one pending reference to <paramref name="storage"/>; the last one returns it to the pool if this pass allocated it and no leaf kept it.</summary>
    private static void Unref(Array storage, Dictionary<Array, int> refs, HashSet<Array> mine, List<Array> owned)
    {
        int n = refs.GetValueOrDefault(storage) - 1;
        if (n > 0)
        {
            refs[storage] = n;
            return;
        }
        refs.Remove(storage);
        if (!mine.Contains(storage)) return;
        if (Holds(owned, storage)) return;
        mine.Remove(storage);
        TensorScope.ReleaseEarly(storage);
    }

    /// <summary>
    /// Which forward memory the nodes of one backward pass still read: per storage, the number of nodes not yet run whose
    /// inputs or output live there. When it reaches zero the storage goes back to its scope's pool and its tensors read
    /// as released (so a stale reference throws instead of seeing reused memory), unless the caller keeps it or a pending
    /// gradient or a leaf's gradient lives there. Memory a rule captured privately (an im2col copy, an argmax buffer)
    /// is no node's input or output and simply lives until the scope ends.
    /// </summary>
    private sealed class SavedMemory
    {
        private readonly Dictionary<Array, int> _readers = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<Array> _keep = new(ReferenceEqualityComparer.Instance);

        public SavedMemory(List<Node> order, IEnumerable<Tensor?> keep)
        {
            foreach (Tensor? t in keep) if (t is not null) _keep.Add(t.Storage);
            var seen = new HashSet<Array>(ReferenceEqualityComparer.Instance);
            foreach (Node node in order)
            {
                seen.Clear();
                foreach (Tensor input in node.Inputs) seen.Add(input.Storage);
                if (node.OutputStorage is { } o) seen.Add(o);
                foreach (Array a in seen) _readers[a] = _readers.GetValueOrDefault(a) + 1;
            }
        }

        /// <summary><paramref name="node"/> has run: the storages only it still read go back.</summary>
        public void Done(Node node, Array? outputStorage, Dictionary<Array, int> pending, List<Array> owned)
        {
            // Each storage once per node, as counted.
            var distinct = new List<Array>(node.Inputs.Length + 1);
            if (outputStorage is not null) distinct.Add(outputStorage);
            foreach (Tensor input in node.Inputs)
                if (!distinct.Exists(a => ReferenceEquals(a, input.Storage))) distinct.Add(input.Storage);
            foreach (Array a in distinct) Release(a, pending, owned);
        }

        private void Release(Array? storage, Dictionary<Array, int> pending, List<Array> owned)
        {
            if (storage is null || !_readers.TryGetValue(storage, out int n)) return;
            if (n > 1)
            {
                _readers[storage] = n - 1;
                return;
            }
            _readers.Remove(storage);
            if (_keep.Contains(storage) || pending.ContainsKey(storage)) return;
            if (Holds(owned, storage)) return;
            TensorScope.ReleaseSaved(storage);
        }
    }

    private static void AccumulateGrad(Tensor leaf, Tensor g, List<Array> owned)
    {
        if (leaf.Grad is not null)
        {
            leaf.Grad.AddInPlace(g);
            return;
        }
        bool shared = g.SharesStorageWith(leaf) || !g.IsContiguous || g.Offset != 0 || g.Numel != g.Storage.Length;
        shared |= Holds(owned, g.Storage);
        leaf.Grad = shared ? g.Clone() : g;
        owned.Add(leaf.Grad.Storage);
    }

    private static long s_backwardPasses;

    /// <summary>Nodes reachable from <paramref name="root"/>, each after every node that consumes its output.</summary>
    private static List<Node> TopologicalOrder(Node root)
    {
        long pass = Interlocked.Increment(ref s_backwardPasses);
        var postOrder = new List<Node>();
        var stack = new Stack<(Node Node, int Next)>();
        stack.Push((root, 0));
        root.VisitedBy = pass;
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            if (next < node.Inputs.Length)
            {
                stack.Push((node, next + 1));
                Node? child = node.Inputs[next].GradFn;
                if (child is not null && child.VisitedBy != pass)
                {
                    child.VisitedBy = pass;
                    stack.Push((child, 0));
                }
            }
            else
            {
                postOrder.Add(node);
            }
        }
        postOrder.Reverse();
        return postOrder;
    }
}
