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

    /// <summary><see cref="NN.Conv2d"/> with a square kernel and the same stride, padding and dilation in both directions.</summary>
    public static Conv2d Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        bool bias = true, Generator? generator = null) => new(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias, generator);

    /// <summary><see cref="NN.Conv2d"/> with separate (height, width) sizes.</summary>
    public static Conv2d Conv2d(int inChannels, int outChannels, (int Height, int Width) kernelSize, (int Height, int Width)? stride = null,
        (int Height, int Width) padding = default, (int Height, int Width)? dilation = null, int groups = 1, bool bias = true, Generator? generator = null) =>
        new(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias, generator);

    /// <summary><see cref="NN.BatchNorm1d"/>.</summary>
    public static BatchNorm1d BatchNorm1d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f, bool affine = true, bool trackRunningStats = true) =>
        new(numFeatures, eps, momentum, affine, trackRunningStats);

    /// <summary><see cref="NN.BatchNorm2d"/>.</summary>
    public static BatchNorm2d BatchNorm2d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f, bool affine = true, bool trackRunningStats = true) =>
        new(numFeatures, eps, momentum, affine, trackRunningStats);

    /// <summary><see cref="NN.MaxPool2d"/>.</summary>
    public static MaxPool2d MaxPool2d(int kernelSize, int? stride = null, int padding = 0) => new(kernelSize, stride, padding);

    /// <summary><see cref="NN.AvgPool2d"/>.</summary>
    public static AvgPool2d AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool countIncludePad = true) => new(kernelSize, stride, padding, countIncludePad);

    /// <summary><see cref="NN.AdaptiveAvgPool2d"/> to a square output.</summary>
    public static AdaptiveAvgPool2d AdaptiveAvgPool2d(int outputSize) => new(outputSize);

    /// <summary><see cref="NN.AdaptiveAvgPool2d"/> to (height, width).</summary>
    public static AdaptiveAvgPool2d AdaptiveAvgPool2d((int Height, int Width) outputSize) => new(outputSize);

    /// <summary><see cref="NN.AdaptiveMaxPool2d"/> to a square output.</summary>
    public static AdaptiveMaxPool2d AdaptiveMaxPool2d(int outputSize) => new(outputSize);

    /// <summary><see cref="NN.AdaptiveMaxPool2d"/> to (height, width).</summary>
    public static AdaptiveMaxPool2d AdaptiveMaxPool2d((int Height, int Width) outputSize) => new(outputSize);

    /// <summary><see cref="NN.AdaptiveConcatPool2d"/> (fastai): max and average pools side by side.</summary>
    public static AdaptiveConcatPool2d AdaptiveConcatPool2d(int size = 1) => new(size);

    /// <summary><see cref="NN.Sequential"/>.</summary>
    public static Sequential Sequential(params Module[] layers) => new(layers);

    /// <summary>A trainable parameter: a detached copy of <paramref name="value"/>'s storage view that requires grad (PyTorch's <c>nn.Parameter</c>).</summary>
    public static Tensor Parameter(Tensor value) => value.Detach().RequiresGrad();
}
