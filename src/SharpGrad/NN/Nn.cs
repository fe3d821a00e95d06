namespace SharpGrad.NN;

/// <summary>Short constructors that read like PyTorch's <c>nn.</c> namespace: <c>Nn.Sequential(Nn.Linear(784, 30), Nn.ReLU(), Nn.Linear(30, 1))</c>.</summary>
public static class Nn
{
    /// <summary><see cref="NN.Linear"/>.</summary>
    public static Linear Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null) => new(inFeatures, outFeatures, bias, generator);

    /// <summary><see cref="NN.ReLU"/>.</summary>
    public static ReLU ReLU() => new();

    /// <summary><see cref="NN.Sigmoid"/>.</summary>
    public static Sigmoid Sigmoid() => new();

    /// <summary><see cref="NN.Flatten"/>.</summary>
    public static Flatten Flatten(int startDim = 1, int endDim = -1) => new(startDim, endDim);

    /// <summary><see cref="NN.Dropout"/>.</summary>
    public static Dropout Dropout(float p = 0.5f, Generator? generator = null) => new(p, generator);

    /// <summary><see cref="NN.Sequential"/>.</summary>
    public static Sequential Sequential(params Module[] layers) => new(layers);

    /// <summary>A trainable parameter: a detached copy of <paramref name="value"/>'s storage view that requires grad (PyTorch's <c>nn.Parameter</c>).</summary>
    public static Tensor Parameter(Tensor value) => value.Detach().RequiresGrad();
}
