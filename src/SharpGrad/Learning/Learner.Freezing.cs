using SharpGrad.NN;

namespace SharpGrad.Learning;

public sealed partial class Learner
{
    private int _frozenGroups;

    /// <summary>
    /// Whether batch-norm layers keep training in frozen parameter groups (fastai's <c>train_bn</c>, default true: their
    /// weights and biases get gradients, and their running statistics follow the new data). With false a frozen body has
    /// no trainable parameter, so its forward pass builds no backward graph and costs only the forward.
    /// </summary>
    public bool TrainBn { get; set; } = true;

    /// <summary>How many leading parameter groups are frozen.</summary>
    public int FrozenGroups => _frozenGroups;

    /// <summary>
    /// Freezes the parameter groups before <paramref name="n"/> (negative: counted from the end), so only the later ones
    /// train, and every batch norm when <see cref="TrainBn"/> (fastai's <c>freeze_to</c>). Frozen parameters stop requiring
    /// gradients: the backward pass skips their gradients and the optimizer leaves them alone.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">More groups than the model has.</exception>
    public void FreezeTo(int n)
    {
        if (Opt is null) CreateOpt();
        int groups = Opt!.ParamGroups.Count;
        int idx = n >= 0 ? n : groups + n;
        if (idx < 0 || idx > groups)
            throw new ArgumentOutOfRangeException(nameof(n), n, $"FreezeTo: the model has {groups} parameter groups; freeze from -{groups} to {groups}.");
        _frozenGroups = idx;
        ApplyFreeze();
    }

    /// <summary>Freezes every parameter group but the last (fastai's <c>freeze</c>; a pretrained vision learner starts this way).</summary>
    public void Freeze() => FreezeTo(-1);

    /// <summary>Lets every parameter train again (fastai's <c>unfreeze</c>).</summary>
    public void Unfreeze() => FreezeTo(0);

    /// <summary>Sets each parameter's <see cref="Tensor.RequiresGradient"/> from the frozen group count and <see cref="TrainBn"/>.</summary>
    private void ApplyFreeze()
    {
        if (Opt is null) return;
        var batchNorm = new HashSet<Tensor>(Model.NamedModules().Where(m => m.Module is BatchNorm).SelectMany(m => m.Module.OwnParameters().Select(p => p.Parameter)),
                                            ReferenceEqualityComparer.Instance);
        for (int g = 0; g < Opt.ParamGroups.Count; g++)
            foreach (Tensor p in Opt.ParamGroups[g].Parameters)
            {
                bool train = g >= _frozenGroups || (TrainBn && batchNorm.Contains(p));
                p.RequiresGrad(train);
                if (!train) p.Grad = null;
            }
    }
}
