namespace SharpGrad.Optim;

/// <summary>
/// Stochastic gradient descent as fastai's <c>SGD</c>: with <c>mom</c> = 0 it is plain <c>p -= lr·grad</c> (the seed's
/// <c>BasicOptim</c>); with momentum, <c>avg = mom·avg + grad; p -= lr·avg</c>; weight decay is decoupled,
/// <c>p *= 1 - lr·wd</c>, applied first.
/// </summary>
public sealed class Sgd : Optimizer
{
    /// <summary>SGD over one group of <paramref name="parameters"/>.</summary>
    public Sgd(IEnumerable<Tensor> parameters, double lr, double mom = 0, double wd = 0)
        : this([parameters], lr, mom, wd)
    {
    }

    /// <summary>SGD over several parameter groups.</summary>
    public Sgd(IEnumerable<IEnumerable<Tensor>> groups, double lr, double mom = 0, double wd = 0)
        : base(groups, new Dictionary<string, double> { ["lr"] = lr, ["mom"] = mom, ["wd"] = wd })
    {
        if (lr < 0) throw new ArgumentOutOfRangeException(nameof(lr), lr, "Sgd: the learning rate must be non-negative.");
    }

    /// <inheritdoc/>
    protected override void Update(Tensor p, Tensor grad, ParamGroup group)
    {
        float lr = (float)group["lr"], mom = (float)group["mom"], wd = WeightDecay(p, group);
        if (p.IsOnDevice)
        {
            Tensor gd = DeviceOperands(p, grad, "Sgd");
            p.Memory.Backend.SgdStep(p.Memory, gd.Memory, gd.Offset, mom == 0 ? null : DeviceState(p, 1)[0].Memory, lr, mom, wd, p.Numel);
            return;
        }
        Span<float> w = p.Contents<float>();
        ReadOnlySpan<float> g = grad.Contiguous().Contents<float>();
        if (wd != 0) System.Numerics.Tensors.TensorPrimitives.Multiply(w, 1f - lr * wd, w);
        if (mom == 0)
        {
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(g, -lr, w, w);
            return;
        }
        Span<float> avg = State(p, 1)[0];
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(avg, mom, g, avg);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(avg, -lr, w, w);
    }
}
