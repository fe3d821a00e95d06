namespace SharpGrad.Tests.Tensors;

/// <summary>Elementwise ops on views whose last dim has size 1 but whose dim before it is strided (found by the ONNX zoo).</summary>
public class StridedBroadcastTests
{
    [Fact]
    public void ViewsEndingInANewAxisAddLikeTheirCopies()
    {
        Tensor x = Tensor.Arange(24).Float().Reshape(2, 4, 3);
        Tensor a = x[.., 1..3, TensorIndex.NewAxis, ^1], b = x[TensorIndex.Ellipsis, 0][.., 2..4, TensorIndex.NewAxis];
        Tensor sum = a + b;
        Assert.Equal((a.Contiguous() + b.Contiguous()).ToArray<float>(), sum.ToArray<float>());
        // x[n, 1 + i, 2] + x[n, 2 + i, 0]
        Assert.Equal([5f + 6f, 8f + 9f, 17f + 18f, 20f + 21f], sum.ToArray<float>());
    }
}
