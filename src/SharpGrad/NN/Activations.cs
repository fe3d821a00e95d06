namespace SharpGrad.NN;

/// <summary>max(x, 0), elementwise.</summary>
public sealed class ReLU : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Relu();
}

/// <summary>1 / (1 + exp(-x)), elementwise.</summary>
public sealed class Sigmoid : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Sigmoid();
}

/// <summary>Flattens dims <c>startDim..endDim</c> into one (PyTorch's <c>nn.Flatten</c>, default from dim 1).</summary>
public sealed class Flatten(int startDim = 1, int endDim = -1) : Module
{
    /// <summary>First flattened dim.</summary>
    public int StartDim => startDim;

    /// <summary>Last flattened dim.</summary>
    public int EndDim => endDim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Flatten(startDim, endDim);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"start_dim={startDim}, end_dim={endDim}";
}

/// <summary>Wraps a function as a module (fastai's <c>Lambda</c>), e.g. a reshape between layers.</summary>
public sealed class Lambda(Func<Tensor, Tensor> function, string name = "lambda") : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => function(input);

    /// <inheritdoc/>
    protected override string ExtraRepr() => name;
}
