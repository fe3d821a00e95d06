namespace SharpGrad.NN;

/// <summary>Checks a pooling layer's arguments when it is built, so a bad one fails at construction rather than at the first batch.</summary>
internal static class PoolArgs
{
    public static void Check(string layer, (int H, int W) kernelSize, (int H, int W) stride, (int H, int W) padding)
    {
        if (kernelSize.H < 1 || kernelSize.W < 1) throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, $"{layer}: kernel size must be positive.");
        if (stride.H < 1 || stride.W < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, $"{layer}: stride must be positive.");
        if (padding.H < 0 || padding.W < 0 || padding.H > kernelSize.H / 2 || padding.W > kernelSize.W / 2)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, $"{layer}: padding must be between 0 and half the kernel size {kernelSize}.");
    }

    public static void CheckOutput(string layer, (int H, int W) outputSize)
    {
        if (outputSize.H < 1 || outputSize.W < 1) throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, $"{layer}: output size must be positive.");
    }
}
