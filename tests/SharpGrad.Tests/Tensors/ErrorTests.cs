namespace SharpGrad.Tests.Tensors;

/// <summary>Bad input gets an exception whose message names the op, the shapes, the dim or the value at fault.</summary>
public class ErrorTests
{
    [Fact]
    public void Broadcast_mismatch_names_the_op_and_both_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 4) + Tensor.Zeros(5));
        Assert.Contains("Add", ex.Message);
        Assert.Contains("[3, 4]", ex.Message);
        Assert.Contains("[5]", ex.Message);
    }

    [Fact]
    public void Matmul_mismatch_names_both_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(256, 784).MatMul(Tensor.Zeros(30, 1)));
        Assert.Contains("[256, 784]", ex.Message);
        Assert.Contains("[30, 1]", ex.Message);
    }

    [Fact]
    public void Index_out_of_range_names_dim_index_and_size()
    {
        var ex = Assert.Throws<IndexOutOfRangeException>(() => Tensor.Zeros(3, 4)[1, 7]);
        Assert.Contains("7", ex.Message);
        Assert.Contains("dim 1", ex.Message);
        Assert.Contains("size 4", ex.Message);
        Assert.Throws<IndexOutOfRangeException>(() => Tensor.Zeros(3)[^4]);
        var gather = Assert.Throws<IndexOutOfRangeException>(() => Tensor.Zeros(3).IndexSelect(0, Tensor.From(0L, 3L)));
        Assert.Contains("3", gather.Message);
    }

    [Fact]
    public void Dim_out_of_range_names_the_valid_range()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(3, 4).Sum(2));
        Assert.Contains("-2..1", ex.Message);
    }

    [Fact]
    public void Reshape_to_an_incompatible_shape_names_both()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 4).Reshape(5, -1));
        Assert.Contains("[5, -1]", ex.Message);
        Assert.Contains("[3, 4]", ex.Message);
    }

    [Fact]
    public void View_of_a_non_contiguous_tensor_suggests_reshape()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(3, 4).T.View(12));
        Assert.Contains("Reshape", ex.Message);
    }

    [Fact]
    public void Mixing_dtypes_where_not_allowed_is_refused()
    {
        Assert.Contains("float", Assert.Throws<NotSupportedException>(() => Tensor.From(1L, 2L) + Tensor.From(1L, 2L)).Message);
        Assert.Contains("int64", Assert.Throws<ArgumentException>(() => Tensor.Zeros(3).Gather(0, Tensor.Zeros(3))).Message);
        Assert.Contains("bool", Assert.Throws<ArgumentException>(() => Tensor.Where(Tensor.Zeros(3), Tensor.Zeros(3), Tensor.Zeros(3))).Message);
        Assert.Contains("float", Assert.Throws<NotSupportedException>(() => Tensor.From(1L, 2L).Exp()).Message);
        Assert.Contains("dtype", Assert.Throws<ArgumentException>(() => Tensor.Cat([Tensor.Zeros(2), Tensor.From(1L)])).Message);
    }

    [Fact]
    public void Item_on_a_multi_element_tensor_names_the_shape()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(2, 2).Item());
        Assert.Contains("[2, 2]", ex.Message);
    }

    [Fact]
    public void Cat_with_mismatched_shapes_names_the_dim()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Cat([Tensor.Zeros(2, 3), Tensor.Zeros(2, 4)]));
        Assert.Contains("dim 1", ex.Message);
    }
}
