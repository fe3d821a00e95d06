namespace SharpGrad.Optim;

/// <summary>A set of parameters sharing hyperparameters (learning rate, momentum, weight decay, ...), as in PyTorch and fastai.</summary>
public sealed class ParamGroup
{
    private readonly Dictionary<string, double> _hyper;

    /// <summary>A group of <paramref name="parameters"/> with the given hyperparameters.</summary>
    public ParamGroup(IEnumerable<Tensor> parameters, IReadOnlyDictionary<string, double> hyper)
    {
        Parameters = parameters.ToList();
        foreach (Tensor p in Parameters)
            if (!p.RequiresGradient) throw new ArgumentException($"Optimizer: a parameter of shape {p.Shape} does not require grad; call RequiresGrad() on it.");
        _hyper = new Dictionary<string, double>(hyper);
    }

    /// <summary>The parameters.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The hyperparameter <paramref name="name"/> (e.g. <c>lr</c>, <c>mom</c>, <c>wd</c>).</summary>
    /// <exception cref="KeyNotFoundException">The optimizer has no such hyperparameter; the message lists the ones it has.</exception>
    public double this[string name]
    {
        get => _hyper.TryGetValue(name, out double v) ? v
            : throw new KeyNotFoundException($"No hyperparameter '{name}'; this optimizer has {string.Join(", ", _hyper.Keys)}.");
        set
        {
            if (!_hyper.ContainsKey(name)) throw new KeyNotFoundException($"No hyperparameter '{name}'; this optimizer has {string.Join(", ", _hyper.Keys)}.");
            if (double.IsNaN(value)) throw new ArgumentException($"Hyperparameter '{name}' cannot be NaN.");
            _hyper[name] = value;
        }
    }

    /// <summary>The hyperparameter names.</summary>
    public IEnumerable<string> HyperNames => _hyper.Keys;
}
