namespace SharpGrad.Optim;

/// <summary>
/// Adam as fastai defines it: <c>avg = mom·avg + (1-mom)·grad</c>, <c>sqr = sqr_mom·sqr + (1-sqr_mom)·grad²</c>,
/// <c>p -= lr · (avg / (1 - mom^t)) / (sqrt(sqr / (1 - sqr_mom^t)) + eps)</c>, with decoupled weight decay
/// <c>p *= 1 - lr·wd</c> first (so it is AdamW). Defaults are fastai's: mom 0.9, sqr_mom 0.99, eps 1e-5, wd 0.01.
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly Dictionary<Tensor, int> _steps = new(ReferenceEqualityComparer.Instance);

    /// <summary>Adam over one group of <paramref name="parameters"/>.</summary>
    public Adam(IEnumerable<Tensor> parameters, double lr, double mom = 0.9, double sqrMom = 0.99, double eps = 1e-5, double wd = 0.01)
        : this([parameters], lr, mom, sqrMom, eps, wd)
    {
    }

    /// <summary>Adam over several parameter groups.</summary>
    public Adam(IEnumerable<IEnumerable<Tensor>> groups, double lr, double mom = 0.9, double sqrMom = 0.99, double eps = 1e-5, double wd = 0.01)
        : base(groups, new Dictionary<string, double> { ["lr"] = lr, ["mom"] = mom, ["sqr_mom"] = sqrMom, ["eps"] = eps, ["wd"] = wd })
    {
        if (lr < 0) throw new ArgumentOutOfRangeException(nameof(lr), lr, "Adam: the learning rate must be non-negative.");
    }

    /// <inheritdoc/>
    public override void ClearState()
    {
        base.ClearState();
        _steps.Clear();
    }

    /// <inheritdoc/>
    public override OptimizerSnapshot Snapshot() =>
        base.Snapshot() with { Extra = new Dictionary<Tensor, int>(_steps, ReferenceEqualityComparer.Instance) };

    /// <inheritdoc/>
    public override void Restore(OptimizerSnapshot snapshot)
    {
        base.Restore(snapshot);
        _steps.Clear();
        if (snapshot.Extra is Dictionary<Tensor, int> steps)
            foreach ((Tensor p, int t) in steps) _steps[p] = t;
    }

    /// <inheritdoc/>
    protected override void Update(Tensor p, Tensor grad, ParamGroup group)
    {
        float lr = (float)group["lr"], mom = (float)group["mom"], sqrMom = (float)group["sqr_mom"], eps = (float)group["eps"], wd = WeightDecay(p, group);
        int step = _steps.TryGetValue(p, out int t) ? t + 1 : 1;
        _steps[p] = step;
        float debias1 = 1f - MathF.Pow(mom, step), debias2 = 1f - MathF.Pow(sqrMom, step);
        float stepSize = lr / debias1, invDebias2 = 1f / debias2;
        if (p.IsOnDevice)
        {
            Tensor gd = DeviceOperands(p, grad, "Adam");
            Tensor[] ds = DeviceState(p, 2);
            p.Memory.Backend.AdamStep(p.Memory, gd.Memory, gd.Offset, ds[0].Memory, ds[1].Memory, wd != 0 ? 1f - lr * wd : 1f, mom, sqrMom, stepSize, invDebias2, eps, p.Numel);
            return;
        }
        Span<float> w = p.Contents<float>();
        ReadOnlySpan<float> g = grad.Contiguous().Contents<float>();
        float[][] s = State(p, 2);
        Span<float> avg = s[0], sqr = s[1];
        Kernels.AdamKernel.Step(w, g, avg, sqr, wd != 0 ? 1f - lr * wd : 1f, mom, sqrMom, stepSize, invDebias2, eps);
    }
}
