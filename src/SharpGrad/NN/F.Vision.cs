namespace SharpGrad.NN;

public static partial class F
{
    /// <summary>
    /// 2-D convolution (PyTorch's <c>F.conv2d</c>) of an input <c>[N, C, H, W]</c> (or unbatched <c>[C, H, W]</c>) with a weight
    /// <c>[OC, C/groups, KH, KW]</c> and an optional bias <c>[OC]</c>; the same stride, padding and dilation in both directions.
    /// </summary>
    /// <exception cref="ArgumentException">A wrong rank, a channel count that does not match the weight and groups, or an output smaller than 1×1.</exception>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Tensor.Conv2d(input, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

    /// <summary>2-D convolution with separate (height, width) stride, padding and dilation; null stride or dilation means (1, 1).</summary>
    /// <exception cref="ArgumentException">A wrong rank, a channel count that does not match the weight and groups, or an output smaller than 1×1.</exception>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, (int Height, int Width)? stride, (int Height, int Width) padding = default,
        (int Height, int Width)? dilation = null, int groups = 1) =>
        Tensor.Conv2d(input, weight, bias, stride ?? (1, 1), padding, dilation ?? (1, 1), groups);

    /// <summary>
    /// Max pooling over <paramref name="kernelSize"/>² windows (PyTorch's <c>F.max_pool2d</c>, dilation 1, ceil_mode false) of an input
    /// <c>[N, C, H, W]</c> or <c>[C, H, W]</c>; the stride defaults to the kernel size, padding (at most half the kernel) never wins.
    /// </summary>
    public static Tensor MaxPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0) =>
        Tensor.MaxPool2d(input, (kernelSize, kernelSize), Square(stride ?? kernelSize), (padding, padding), withIndices: false).Output;

    /// <summary>Max pooling with separate (height, width) kernel size, stride (default: the kernel size) and padding.</summary>
    public static Tensor MaxPool2d(Tensor input, (int Height, int Width) kernelSize, (int Height, int Width)? stride = null, (int Height, int Width) padding = default) =>
        Tensor.MaxPool2d(input, kernelSize, stride ?? kernelSize, padding, withIndices: false).Output;

    /// <summary>Max pooling that also returns each output's argmax as an int64 index h·W + w into its input plane (PyTorch's <c>return_indices=True</c>).</summary>
    public static (Tensor Output, Tensor Indices) MaxPool2dWithIndices(Tensor input, (int Height, int Width) kernelSize, (int Height, int Width)? stride = null,
        (int Height, int Width) padding = default)
    {
        (Tensor output, Tensor? indices) = Tensor.MaxPool2d(input, kernelSize, stride ?? kernelSize, padding, withIndices: true);
        return (output, indices!);
    }

    /// <summary>
    /// Average pooling (PyTorch's <c>F.avg_pool2d</c>, ceil_mode false) of an input <c>[N, C, H, W]</c> or <c>[C, H, W]</c>; the stride
    /// defaults to the kernel size; with <paramref name="countIncludePad"/> (PyTorch's default) padded zeros count in the divisor.
    /// </summary>
    public static Tensor AvgPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool countIncludePad = true) =>
        Tensor.AvgPool2d(input, (kernelSize, kernelSize), Square(stride ?? kernelSize), (padding, padding), countIncludePad);

    /// <summary>Average pooling with separate (height, width) kernel size, stride (default: the kernel size) and padding.</summary>
    public static Tensor AvgPool2d(Tensor input, (int Height, int Width) kernelSize, (int Height, int Width)? stride = null, (int Height, int Width) padding = default,
        bool countIncludePad = true) =>
        Tensor.AvgPool2d(input, kernelSize, stride ?? kernelSize, padding, countIncludePad);

    /// <summary>
    /// Adaptive average pooling to <paramref name="outputHeight"/>×<paramref name="outputWidth"/> (PyTorch's <c>F.adaptive_avg_pool2d</c>):
    /// output cell i averages input rows [floor(i·H/OH), ceil((i+1)·H/OH)), and likewise for columns.
    /// </summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, int outputHeight, int outputWidth) => Tensor.AdaptiveAvgPool2d(input, outputHeight, outputWidth);

    /// <summary>Adaptive average pooling to a square <paramref name="outputSize"/>×<paramref name="outputSize"/>.</summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, int outputSize) => Tensor.AdaptiveAvgPool2d(input, outputSize, outputSize);

    /// <summary>Adaptive max pooling to <paramref name="outputHeight"/>×<paramref name="outputWidth"/> over the same windows as <see cref="AdaptiveAvgPool2d(Tensor, int, int)"/>.</summary>
    public static Tensor AdaptiveMaxPool2d(Tensor input, int outputHeight, int outputWidth) => Tensor.AdaptiveMaxPool2d(input, outputHeight, outputWidth, false).Output;

    /// <summary>Adaptive max pooling to a square <paramref name="outputSize"/>×<paramref name="outputSize"/>.</summary>
    public static Tensor AdaptiveMaxPool2d(Tensor input, int outputSize) => Tensor.AdaptiveMaxPool2d(input, outputSize, outputSize, false).Output;

    /// <summary>Adaptive max pooling that also returns each output's argmax as an int64 index h·W + w into its input plane.</summary>
    public static (Tensor Output, Tensor Indices) AdaptiveMaxPool2dWithIndices(Tensor input, int outputHeight, int outputWidth)
    {
        (Tensor output, Tensor? indices) = Tensor.AdaptiveMaxPool2d(input, outputHeight, outputWidth, true);
        return (output, indices!);
    }

    /// <summary>
    /// Batch normalisation of an input <c>[N, C, ...]</c> per channel (PyTorch's <c>F.batch_norm</c>): y = (x - mean)/sqrt(var + eps)·weight + bias.
    /// With <paramref name="training"/> the batch mean and biased variance are used and the running statistics, when given, move to
    /// (1 - momentum)·running + momentum·batch (unbiased variance), in place; otherwise the running statistics are used.
    /// </summary>
    /// <exception cref="ArgumentException">A wrong rank or channel count, missing running statistics in evaluation, or a single value per channel in training.</exception>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, float momentum = 0.1f, float eps = 1e-5f) =>
        Tensor.BatchNorm(input, runningMean, runningVar, weight, bias, training, momentum, eps);

    private static (int, int) Square(int v) => (v, v);
}
