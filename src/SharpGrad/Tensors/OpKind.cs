namespace SharpGrad;

/// <summary>
/// Every op a tensor can record: the autograd tape names its nodes by it (<see cref="OpKinds.TorchName"/> gives
/// PyTorch's <c>grad_fn</c> name), and a tracer (<see cref="OpTrace"/>) is told of each one as it runs. A closed list:
/// tests enumerate it, so an op cannot be added without its ONNX mapping being decided.
/// </summary>
internal enum OpKind
{
    Add, Sub, Mul, Div, Pow, PowScalar, Maximum, Minimum,
    Neg, Exp, Log, Sqrt, Abs, Sigmoid, Tanh, Relu, Square, Reciprocal, Sign, Clamp,
    Compare, Where, Cast,
    Sum, MaxDim, MinDim, MaxAll, MinAll,
    MatMul, Conv2d, BatchNorm, BatchNormRelu, BatchNormAddRelu, Softmax, LogSoftmax,
    MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d,
    Gather, IndexSelect, Cat, Narrow, Clone, ToDevice,
    View, Transpose, Permute, Unsqueeze, Squeeze, Expand, Slice, MaskPositions,
    BinaryCrossEntropyWithLogits,
}

/// <summary>Names of <see cref="OpKind"/>s.</summary>
internal static class OpKinds
{
    /// <summary>PyTorch's name for the backward node of <paramref name="op"/>, e.g. <c>MulBackward0</c>.</summary>
    public static string TorchName(this OpKind op) => op switch
    {
        OpKind.Pow => "PowBackward1",
        OpKind.PowScalar => "PowBackward0",
        OpKind.Clamp => "ClampBackward1",
        OpKind.Sum => "SumBackward1",
        OpKind.MaxDim => "MaxBackward0",
        OpKind.MinDim => "MinBackward0",
        OpKind.MaxAll => "MaxBackward1",
        OpKind.MinAll => "MinBackward1",
        OpKind.MatMul => "MmBackward0",
        OpKind.Conv2d => "ConvolutionBackward0",
        OpKind.BatchNorm => "NativeBatchNormBackward0",
        OpKind.BatchNormRelu => "NativeBatchNormReluBackward0",
        OpKind.BatchNormAddRelu => "NativeBatchNormAddReluBackward0",
        OpKind.MaxPool2d => "MaxPool2DWithIndicesBackward0",
        OpKind.AvgPool2d => "AvgPool2DBackward0",
        OpKind.AdaptiveAvgPool2d => "AdaptiveAvgPool2DBackward0",
        OpKind.AdaptiveMaxPool2d => "AdaptiveMaxPool2DBackward0",
        OpKind.ToDevice => "ToCopyBackward0",
        _ => op + "Backward0",
    };
}
