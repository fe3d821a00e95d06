using System.Text;

namespace SharpGrad.NN;

/// <summary>
/// A layer or model (PyTorch's <c>nn.Module</c>): named parameters and child modules registered in order, train/eval
/// mode, a state dict with PyTorch's names (<c>0.weight</c>, <c>0.bias</c>, ...), and <see cref="Forward"/>.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor Value)> _parameters = [];
    private readonly List<(string Name, Tensor Value)> _buffers = [];
    private readonly List<(string Name, Module Value)> _children = [];

    /// <summary>Computes the output for <paramref name="input"/>.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Whether the module is in training mode (dropout active, batch norm using batch statistics).</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Sets training mode on this module and every descendant; returns this module.</summary>
    public Module Train(bool on = true)
    {
        IsTraining = on;
        foreach ((_, Module child) in _children) child.Train(on);
        return this;
    }

    /// <summary>Sets evaluation mode (<c>Train(false)</c>); returns this module.</summary>
    public Module Eval() => Train(false);

    /// <summary>Registers a trainable parameter: a detached leaf that requires grad.</summary>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        CheckName(name);
        Tensor p = value.Detach().RequiresGrad();
        _parameters.Add((name, p));
        return p;
    }

    /// <summary>Registers a non-trainable tensor saved in the state dict (e.g. batch norm's running mean).</summary>
    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        CheckName(name);
        _buffers.Add((name, value));
        return value;
    }

    /// <summary>Registers a child module.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        _children.Add((name, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{GetType().Name}: '{name}' is not a valid member name (non-empty, no '.').");
        if (_parameters.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name) || _children.Any(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name}: a member named '{name}' is already registered.");
    }

    /// <summary>The direct children, in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children;

    /// <summary>Every parameter of this module and its descendants with its dotted name, children after own parameters.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters(string prefix = "")
    {
        foreach ((string name, Tensor p) in _parameters) yield return (prefix + name, p);
        foreach ((string name, Module child) in _children)
            foreach (var item in child.NamedParameters(prefix + name + ".")) yield return item;
    }

    /// <summary>This module and every descendant with its dotted name ("" for this one), parents before children (PyTorch's <c>named_modules()</c>).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix.TrimEnd('.'), this);
        foreach ((string name, Module child) in _children)
            foreach (var item in child.NamedModules(prefix + name + ".")) yield return item;
    }

    /// <summary>This module's own parameters (not its children's), by name.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> OwnParameters() => _parameters;

    /// <summary>Every parameter (PyTorch's <c>parameters()</c>).</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Every buffer with its dotted name.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(string prefix = "")
    {
        foreach ((string name, Tensor b) in _buffers) yield return (prefix + name, b);
        foreach ((string name, Module child) in _children)
            foreach (var item in child.NamedBuffers(prefix + name + ".")) yield return item;
    }

    /// <summary>
    /// Moves every float parameter and buffer to <paramref name="device"/> in place (PyTorch's <c>module.to(device)</c>):
    /// each keeps its identity, so an optimizer made before keeps training the same tensors; a gradient moves with its
    /// parameter. Integer buffers (batch norm's step count) stay on the CPU, where they are counted. Returns this module.
    /// </summary>
    /// <exception cref="InvalidOperationException">No backend for the device (the message names the package), or a parameter that is a view of another tensor.</exception>
    public Module To(Device device)
    {
        foreach (Tensor p in Parameters()) p.MoveTo(device);
        foreach ((_, Tensor b) in NamedBuffers())
            if (b.DType == DType.Float32) b.MoveTo(device);
        return this;
    }

    /// <summary>The device of the first parameter (the CPU for a module without any).</summary>
    public Device Device => Parameters().FirstOrDefault()?.Device ?? Device.Cpu;

    /// <summary>Parameters and buffers by dotted name (PyTorch's <c>state_dict()</c>); the tensors are the live ones, not copies.</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>();
        foreach ((string name, Tensor p) in NamedParameters()) d[name] = p;
        foreach ((string name, Tensor b) in NamedBuffers()) d[name] = b;
        return d;
    }

    /// <summary>Copies values into the parameters and buffers by name; every name must match and every shape agree.</summary>
    /// <exception cref="ArgumentException">A missing or unexpected name, or a shape or dtype mismatch; the message names them.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        Dictionary<string, Tensor> own = StateDict();
        var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new ArgumentException($"LoadStateDict into {GetType().Name}: " +
                (missing.Count > 0 ? $"missing {string.Join(", ", missing)}" : "") +
                (missing.Count > 0 && unexpected.Count > 0 ? "; " : "") +
                (unexpected.Count > 0 ? $"unexpected {string.Join(", ", unexpected)}" : "") + ".");
        foreach ((string name, Tensor target) in own)
        {
            Tensor source = state[name];
            if (!source.Shape.Equals(target.Shape) || source.DType != target.DType)
                throw new ArgumentException($"LoadStateDict: '{name}' is {source.DType.TorchName()} {source.Shape} in the state dict but {target.DType.TorchName()} {target.Shape} in the model.");
        }
        using (Tensor.NoGrad())
            foreach ((string name, Tensor target) in own) target.CopyFrom(state[name]);
    }

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (Tensor p in Parameters()) p.Grad = null;
    }

    /// <summary>The arguments shown in <see cref="ToString"/>, e.g. <c>in_features=784, out_features=30, bias=True</c>.</summary>
    protected virtual string ExtraRepr() => "";

    /// <summary>PyTorch's module printout, children indented under their names.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(GetType().Name).Append('(').Append(ExtraRepr());
        if (_children.Count > 0)
        {
            sb.Append('\n');
            foreach ((string name, Module child) in _children)
                sb.Append("  (").Append(name).Append("): ").Append(child.ToString().Replace("\n", "\n  ")).Append('\n');
        }
        return sb.Append(')').ToString();
    }
}
