namespace SharpGrad.Tests.Tensors;

/// <summary>ToString() against what PyTorch 1.13 prints for the same tensors (captured from python3-torch).</summary>
public class PrintingTests
{
    [Fact] public void Matrix() => Assert.Equal("tensor([[ 1.5000,  3.0000],\n        [-2.2500,  4.0000]])", Tensor.From(new[,] { { 1.5f, 3f }, { -2.25f, 4f } }).ToString());
    [Fact] public void Integral_floats() => Assert.Equal("tensor([ 3.,  4., 10.])", Tensor.From(3f, 4f, 10f).ToString());
    [Fact] public void Requires_grad() => Assert.Equal("tensor([ 3.,  4., 10.], requires_grad=True)", Tensor.From(3f, 4f, 10f).RequiresGrad().ToString());
    [Fact] public void Grad_fn() => Assert.Equal("tensor([ 6.,  8., 20.], grad_fn=<MulBackward0>)", (Tensor.From(3f, 4f, 10f).RequiresGrad() * 2f).ToString());
    [Fact] public void Scalars()
    {
        Assert.Equal("tensor(3.)", Tensor.Scalar(3f).ToString());
        Assert.Equal("tensor(1.5000)", Tensor.Scalar(1.5f).ToString());
    }
    [Fact] public void Int64() => Assert.Equal("tensor([  1,  22, 333])", Tensor.From(1L, 22L, 333L).ToString());
    [Fact] public void Bools() => Assert.Equal("tensor([ True, False])", Tensor.From(true, false).ToString());
    [Fact] public void UInt8() => Assert.Equal("tensor([  1,   2, 255], dtype=torch.uint8)", Tensor.From((byte)1, (byte)2, (byte)255).ToString());
    [Fact] public void Scientific() => Assert.Equal("tensor([1.0000e-05, 1.0000e+00, 1.0000e+02])", Tensor.From(1e-5f, 1f, 100f).ToString());
    [Fact] public void Empty()
    {
        Assert.Equal("tensor([])", Tensor.Zeros(0).ToString());
        Assert.Equal("tensor([], size=(0, 3))", Tensor.Zeros(0, 3).ToString());
    }
    [Fact] public void Zeros() => Assert.Equal("tensor([0., 0., 0.])", Tensor.Zeros(3).ToString());
    [Fact] public void Nan_and_inf() => Assert.Equal("tensor([   nan, 1.5000,    inf])", Tensor.From(float.NaN, 1.5f, float.PositiveInfinity).ToString());
    [Fact] public void Three_dims() => Assert.Equal("tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])", Tensor.Arange(8).Float().Reshape(2, 2, 2).ToString());

    [Fact]
    public void Long_rows_wrap_at_80_columns() => Assert.Equal(
        "tensor([0.0000, 0.0345, 0.0690, 0.1034, 0.1379, 0.1724, 0.2069, 0.2414, 0.2759,\n" +
        "        0.3103, 0.3448, 0.3793, 0.4138, 0.4483, 0.4828, 0.5172, 0.5517, 0.5862,\n" +
        "        0.6207, 0.6552, 0.6897, 0.7241, 0.7586, 0.7931, 0.8276, 0.8621, 0.8966,\n" +
        "        0.9310, 0.9655, 1.0000])", Tensor.Linspace(0, 1, 30).ToString());

    [Fact]
    public void Large_tensors_are_summarised() => Assert.Equal(
        "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])",
        Tensor.Arange(2000).Float().ToString());

    [Fact]
    public void Large_matrices_are_summarised_in_both_dims()
    {
        string s = (Tensor.Arange(1600).Float().Reshape(40, 40) / 7f).ToString();
        Assert.StartsWith("tensor([[0.0000e+00, 1.4286e-01, 2.8571e-01,  ..., 5.2857e+00, 5.4286e+00,\n         5.5714e+00],\n", s);
        Assert.Contains("\n        ...,\n        [2.1143e+02, 2.1157e+02,", s);
        Assert.EndsWith("[2.2286e+02, 2.2300e+02, 2.2314e+02,  ..., 2.2814e+02, 2.2829e+02,\n         2.2843e+02]])", s);
    }

    [Fact]
    public void Views_print_their_own_elements() => Assert.Equal("tensor([[0., 2.],\n        [1., 3.]])", Tensor.Arange(4).Float().Reshape(2, 2).T.ToString());
}
