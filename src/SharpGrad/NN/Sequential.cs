namespace SharpGrad.NN;

/// <summary>Runs its children in order, each on the previous one's output; they are named 0, 1, 2, ... as in PyTorch.</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = [];

    /// <summary>A sequence of <paramref name="layers"/>.</summary>
    public Sequential(params Module[] layers)
    {
        foreach (Module layer in layers) Add(layer);
    }

    /// <summary>Appends a layer, named by its position.</summary>
    public Sequential Add(Module layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        _layers.Add(RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer));
        return this;
    }

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<Module> Layers => _layers;

    /// <summary>Layer <paramref name="index"/>.</summary>
    public Module this[int index] => _layers[index];

    /// <summary>
    /// Runs the layers in order. A batch norm directly followed by a ReLU runs as one fused pass
    /// (<see cref="BatchNorm.ForwardRelu"/>: the same values and gradients, one tensor and one pass fewer), as in a
    /// resnet's stem; in inference (evaluation mode, no graph to record) a conv directly followed by a batch norm (and
    /// a ReLU) runs as one op that normalises the conv's output tiles as it writes them (the same values).
    /// </summary>
    public override Tensor Forward(Tensor input) => Run(_layers, input);

    /// <summary><paramref name="layers"/> in order on <paramref name="input"/>, conv + batch norm (+ ReLU) and batch norm + ReLU fused (see <see cref="Forward"/>).</summary>
    internal static Tensor Run(IReadOnlyList<Module> layers, Tensor input)
    {
        Tensor x = input;
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] is Conv2d conv && i + 1 < layers.Count && layers[i + 1] is BatchNorm norm)
            {
                bool relu = i + 2 < layers.Count && layers[i + 2] is ReLU;
                x = norm.ForwardAfter(conv, x, relu);
                i += relu ? 2 : 1;
                continue;
            }
            if (layers[i] is BatchNorm bn && i + 1 < layers.Count && layers[i + 1] is ReLU)
            {
                x = bn.ForwardRelu(x);
                i++;
                continue;
            }
            x = layers[i].Forward(x);
        }
        return x;
    }
}
