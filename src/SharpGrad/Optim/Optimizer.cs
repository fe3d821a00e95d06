namespace SharpGrad.Optim;

/// <summary>
/// Updates parameters from their gradients (fastai's <c>Optimizer</c>): parameter groups, per-parameter state, and
/// hyperparameters that a schedule can set before each batch (<see cref="SetHyper(string, double)"/>).
/// </summary>
public abstract class Optimizer
{
    private readonly Dictionary<Tensor, float[][]> _state = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Tensor, Tensor[]> _deviceState = new(ReferenceEqualityComparer.Instance);

    /// <summary>One group per entry of <paramref name="groups"/>, each starting from <paramref name="defaults"/>.</summary>
    protected Optimizer(IEnumerable<IEnumerable<Tensor>> groups, IReadOnlyDictionary<string, double> defaults)
    {
        ParamGroups = groups.Select(g => new ParamGroup(g, defaults)).ToList();
        if (ParamGroups.Count == 0 || ParamGroups.All(g => g.Parameters.Count == 0))
            throw new ArgumentException($"{GetType().Name}: no parameters to optimize.");
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (Tensor p in ParamGroups.SelectMany(g => g.Parameters))
            if (!seen.Add(p)) throw new ArgumentException($"{GetType().Name}: a parameter of shape {p.Shape} appears twice.");
    }

    private readonly HashSet<Tensor> _noWeightDecay = new(ReferenceEqualityComparer.Instance);

    /// <summary>Exempts <paramref name="parameters"/> from weight decay (fastai leaves batch-norm and bias parameters undecayed).</summary>
    public void ExcludeFromWeightDecay(IEnumerable<Tensor> parameters)
    {
        foreach (Tensor p in parameters) _noWeightDecay.Add(p);
    }

    /// <summary>The weight decay to apply to <paramref name="p"/>: the group's <c>wd</c>, or 0 when it is exempt.</summary>
    protected float WeightDecay(Tensor p, ParamGroup group) => _noWeightDecay.Contains(p) ? 0f : (float)group["wd"];

    /// <summary>The parameter groups.</summary>
    public IReadOnlyList<ParamGroup> ParamGroups { get; }

    /// <summary>Every parameter, group by group.</summary>
    public IEnumerable<Tensor> Parameters => ParamGroups.SelectMany(g => g.Parameters);

    /// <summary>Sets hyperparameter <paramref name="name"/> to <paramref name="value"/> in every group.</summary>
    public void SetHyper(string name, double value)
    {
        foreach (ParamGroup g in ParamGroups) g[name] = value;
    }

    /// <summary>Sets hyperparameter <paramref name="name"/> per group (fastai's discriminative learning rates).</summary>
    public void SetHyper(string name, IReadOnlyList<double> perGroup)
    {
        if (perGroup.Count != ParamGroups.Count)
            throw new ArgumentException($"SetHyper('{name}'): {perGroup.Count} values for {ParamGroups.Count} parameter groups.");
        for (int i = 0; i < perGroup.Count; i++) ParamGroups[i][name] = perGroup[i];
    }

    /// <summary>Whether the optimizer has hyperparameter <paramref name="name"/>.</summary>
    public bool HasHyper(string name) => ParamGroups[0].HyperNames.Contains(name);

    /// <summary>The learning rate of the last group (the one fastai reports), or sets it in every group.</summary>
    public double Lr
    {
        get => ParamGroups[^1]["lr"];
        set => SetHyper("lr", value);
    }

    /// <summary>Updates every parameter that has a gradient and requires one (a frozen parameter does not).</summary>
    public void Step()
    {
        if (CapturedGraph.IsCapturing)
        {
            // A replay updates the parameters that had gradients now, from those gradients' memory, reading the
            // hyperparameters as they are then. The update itself is not recorded op by op: the launch repeats it.
            var updates = new List<(Tensor P, Tensor Grad, ParamGroup Group)>();
            foreach (ParamGroup group in ParamGroups)
                foreach (Tensor p in group.Parameters)
                    if (p.Grad is not null && p.RequiresGradient) updates.Add((p, p.Grad, group));
            var bound = updates.ToArray();
            CapturedGraph.RecordInPlace((this, bound), static s => s.Item1.Apply(s.bound));
            using (CapturedGraph.Pause()) Apply(bound);
            return;
        }
        using (Tensor.NoGrad())
            foreach (ParamGroup group in ParamGroups)
                foreach (Tensor p in group.Parameters)
                    if (p.Grad is not null && p.RequiresGradient) Update(p, p.Grad, group); // frozen parameters are left alone
    }

    private void Apply((Tensor P, Tensor Grad, ParamGroup Group)[] updates)
    {
        using (Tensor.NoGrad())
            foreach ((Tensor p, Tensor grad, ParamGroup group) in updates) Update(p, grad, group);
    }

    /// <summary>Updates one parameter <paramref name="p"/> in place from <paramref name="grad"/> with <paramref name="group"/>'s hyperparameters.</summary>
    protected abstract void Update(Tensor p, Tensor grad, ParamGroup group);

    /// <summary>
    /// Clears every gradient: sets it to null (PyTorch 2's default, <c>set_to_none=True</c>: the next backward pass then
    /// stores its gradient without adding to zeros), or zeroes it in place when <paramref name="setToNone"/> is false.
    /// </summary>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (Tensor p in Parameters)
        {
            if (setToNone) p.Grad = null;
            else p.Grad?.ZeroInPlace();
        }
    }

    /// <summary>The per-parameter state buffers of <paramref name="p"/> (e.g. momentum), created zeroed on first use.</summary>
    protected float[][] State(Tensor p, int buffers)
    {
        if (!_state.TryGetValue(p, out float[][]? s))
        {
            s = new float[buffers][];
            for (int i = 0; i < buffers; i++) s[i] = new float[p.Numel];
            _state[p] = s;
        }
        return s;
    }

    /// <summary>The gradient of a device parameter, contiguous on its device; the parameter itself must be contiguous from offset 0.</summary>
    internal static Tensor DeviceOperands(Tensor p, Tensor grad, string who)
    {
        if (grad.Device != p.Device) throw new InvalidOperationException($"{who}: the parameter is on {p.Device} but its gradient on {grad.Device}.");
        if (!p.IsContiguous || p.Offset != 0) throw p.Memory.Backend.Unsupported($"{who} on a strided parameter view");
        return grad.Contiguous();
    }

    /// <summary>The state buffers of a parameter on a device, as tensors beside it, created zeroed on first use.</summary>
    internal Tensor[] DeviceState(Tensor p, int buffers)
    {
        if (!_deviceState.TryGetValue(p, out Tensor[]? s))
        {
            s = new Tensor[buffers];
            for (int i = 0; i < buffers; i++) s[i] = Tensor.ZerosLike(p).Keep(); // made during a step's scope, lives with the parameter
            _deviceState[p] = s;
        }
        return s;
    }

    /// <summary>Forgets all per-parameter state (momentum, step counts).</summary>
    public virtual void ClearState()
    {
        _state.Clear();
        _deviceState.Clear();
    }

    /// <summary>
    /// A deep copy of the per-parameter state and hyperparameters, for <see cref="Restore"/> (the LR finder trains, then
    /// puts everything back). The state of parameters on a device is copied to the host, so a snapshot (and a checkpoint) is the same wherever training ran.
    /// </summary>
    public virtual OptimizerSnapshot Snapshot()
    {
        var state = _state.ToDictionary(kv => kv.Key, kv => kv.Value.Select(b => (float[])b.Clone()).ToArray(), (IEqualityComparer<Tensor>)ReferenceEqualityComparer.Instance);
        foreach ((Tensor p, Tensor[] buffers) in _deviceState) state[p] = buffers.Select(b => b.ToArray<float>()).ToArray();
        return new(state, ParamGroups.Select(g => g.HyperNames.ToDictionary(n => n, n => g[n])).ToList());
    }

    /// <summary>Puts back the state and hyperparameters of <paramref name="snapshot"/> (state of a parameter on a device goes back to that device).</summary>
    public virtual void Restore(OptimizerSnapshot snapshot)
    {
        _state.Clear();
        _deviceState.Clear();
        foreach ((Tensor p, float[][] buffers) in snapshot.State)
        {
            if (p.IsOnDevice) _deviceState[p] = buffers.Select(b => Tensor.From((float[])b.Clone(), p.Sizes).To(p.Device).Keep()).ToArray();
            else _state[p] = buffers.Select(b => (float[])b.Clone()).ToArray();
        }
        for (int i = 0; i < ParamGroups.Count; i++)
            foreach ((string name, double value) in snapshot.Hyper[i]) ParamGroups[i][name] = value;
    }
}

/// <summary>A saved copy of an optimizer's state (see <see cref="Optimizer.Snapshot"/>).</summary>
public record OptimizerSnapshot(IReadOnlyDictionary<Tensor, float[][]> State, IReadOnlyList<Dictionary<string, double>> Hyper)
{
    /// <summary>Extra state of a subclass (Adam's step counts).</summary>
    public object? Extra { get; init; }
}
