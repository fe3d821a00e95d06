namespace SharpGrad.Tests.Tensors;

/// <summary>Autograd semantics, starting with the cells of fastbook chapter 4.</summary>
public class AutogradTests
{
    private static Tensor F(Tensor x) => (x * x).Sum();

    [Fact]
    public void Derivative_of_x_squared_at_3_is_6()
    {
        var xt = Tensor.Scalar(3f).RequiresGrad();
        Tensor yt = xt * xt;
        Assert.Equal("tensor(9., grad_fn=<MulBackward0>)", yt.ToString());
        yt.Backward();
        Assert.Equal("tensor(6.)", xt.Grad!.ToString());
    }

    [Fact]
    public void Gradient_of_sum_of_squares_at_3_4_10()
    {
        var xt = Tensor.From(3f, 4f, 10f).RequiresGrad();
        Tensor yt = F(xt);
        Assert.Equal("tensor(125., grad_fn=<SumBackward1>)", yt.ToString());
        yt.Backward();
        Assert.Equal([6f, 8f, 20f], xt.Grad!.ToArray<float>());
    }

    [Fact]
    public void Gradients_accumulate_across_backward_calls_as_the_seed_shows()
    {
        var xt = Tensor.From(3f, 4f, 10f).RequiresGrad();
        F(xt).Backward();
        F(xt).Backward();
        Assert.Equal([12f, 16f, 40f], xt.Grad!.ToArray<float>());
        xt.Grad.ZeroInPlace();
        F(xt).Backward();
        Assert.Equal([6f, 8f, 20f], xt.Grad.ToArray<float>());
        xt.Grad = null;
        F(xt).Backward();
        Assert.Equal([6f, 8f, 20f], xt.Grad!.ToArray<float>());
    }

    [Fact]
    public void Backward_with_a_gradient_on_a_non_scalar()
    {
        var x = Tensor.From(1f, 2f, 3f).RequiresGrad();
        Tensor y = x * x;
        y.Backward(Tensor.From(1f, 0.5f, 2f));
        Assert.Equal([2f, 2f, 12f], x.Grad!.ToArray<float>());
    }

    [Fact]
    public void Reused_inputs_sum_their_gradients()
    {
        var x = Tensor.From(2f).RequiresGrad();
        Tensor y = x * x * x + x; // 3x² + 1 = 13 at 2
        y.Sum().Backward();
        Assert.Equal([13f], x.Grad!.ToArray<float>());
    }

    [Fact]
    public void Leaves_and_non_leaves_behave_as_in_PyTorch()
    {
        var w = Tensor.Randn(3).RequiresGrad();
        Tensor h = w * 2f;
        Assert.True(w.IsLeaf);
        Assert.False(h.IsLeaf);
        Assert.True(h.RequiresGradient);
        Assert.Equal("MulBackward0", h.GradFnName);
        h.Sum().Backward();
        Assert.NotNull(w.Grad);
        Assert.Null(h.Grad);
        Tensor d = h.Detach();
        Assert.True(d.IsLeaf);
        Assert.False(d.RequiresGradient);
        Assert.True(d.SharesStorageWith(h));
    }

    [Fact]
    public void NoGrad_stops_recording_and_restores_afterwards()
    {
        var w = Tensor.Randn(3).RequiresGrad();
        using (Tensor.NoGrad())
        {
            Tensor y = w * 2f;
            Assert.False(y.RequiresGradient);
            Assert.False(Tensor.IsGradEnabled);
        }
        Assert.True(Tensor.IsGradEnabled);
        Assert.True((w * 2f).RequiresGradient);
    }

    [Fact]
    public void The_seed_update_p_data_minus_equals_grad_times_lr_works_in_place()
    {
        var p = Tensor.From(1f, 2f).RequiresGrad();
        Tensor alias = p;
        (p * p).Sum().Backward();
        p.Data -= p.Grad! * 0.5f;
        Assert.Same(alias, p);
        Assert.Equal([0f, 0f], p.ToArray<float>());
        Assert.True(p.RequiresGradient);
    }

    [Fact]
    public void In_place_update_of_a_leaf_under_grad_mode_is_refused_with_advice()
    {
        var p = Tensor.From(1f, 2f).RequiresGrad();
        var ex = Assert.Throws<InvalidOperationException>(() => p.SubInPlace(Tensor.From(1f, 1f)));
        Assert.Contains("NoGrad", ex.Message);
        using (Tensor.NoGrad()) p.SubInPlace(Tensor.From(1f, 1f));
        Assert.Equal([0f, 1f], p.ToArray<float>());
    }

    [Fact]
    public void Backward_on_a_tensor_that_does_not_require_grad_is_a_clear_error()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Tensor.From(1f, 2f).Sum().Backward());
        Assert.Contains("does not require grad", ex.Message);
    }

    [Fact]
    public void Backward_without_gradient_on_a_non_scalar_names_the_shape()
    {
        var x = Tensor.Randn(2, 3).RequiresGrad();
        var ex = Assert.Throws<InvalidOperationException>(() => (x * 2f).Backward());
        Assert.Contains("[2, 3]", ex.Message);
    }

    [Fact]
    public void Backward_through_a_freed_graph_is_a_clear_error_unless_retained()
    {
        var x = Tensor.From(3f).RequiresGrad();
        Tensor y = (x * x).Sum();
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.Equal([12f], x.Grad!.ToArray<float>());
        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("second time", ex.Message);
    }

    [Fact]
    public void Integer_tensors_cannot_require_grad()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Tensor.From(1L, 2L).RequiresGrad());
        Assert.Contains("Float()", ex.Message);
    }

    [Fact]
    public void Gradients_flow_through_views_indexing_and_matmul()
    {
        var w = Tensor.Arange(6).Float().Reshape(2, 3).RequiresGrad();
        Tensor y = w.T[1..].MatMul(Tensor.Ones(2, 1)).Sum(); // rows 1, 2 of wᵀ
        y.Backward();
        Assert.Equal([0f, 1f, 1f, 0f, 1f, 1f], w.Grad!.ToArray<float>());
    }

    [Fact]
    public void Finite_differences_agree_with_backward_on_a_composite_function()
    {
        var g = new Generator(5);
        Tensor x0 = Tensor.Randn([3, 4], g), w = Tensor.Randn([4, 2], g);
        float Loss(Tensor x) => (x.MatMul(w).Tanh().LogSoftmax(1) * x.Sum(1, keepDim: true).Sigmoid()).Mean().Item();
        var x = x0.Clone().RequiresGrad();
        (x.MatMul(w).Tanh().LogSoftmax(1) * x.Sum(1, keepDim: true).Sigmoid()).Mean().Backward();
        float[] grad = x.Grad!.ToArray<float>();
        float[] data = x0.ToArray<float>();
        const float eps = 1e-2f;
        for (int i = 0; i < data.Length; i++)
        {
            float[] up = (float[])data.Clone(), down = (float[])data.Clone();
            up[i] += eps;
            down[i] -= eps;
            float numeric = (Loss(Tensor.From(up, [3, 4])) - Loss(Tensor.From(down, [3, 4]))) / (2 * eps);
            Assert.True(Math.Abs(numeric - grad[i]) < 2e-3f, $"element {i}: backward {grad[i]}, finite difference {numeric}");
        }
    }

    [Fact]
    public void Gradients_shared_between_leaves_or_passed_in_are_never_aliased()
    {
        Tensor x = Tensor.From(1f, 2f).RequiresGrad(), y = Tensor.From(3f, 4f).RequiresGrad();
        Tensor g = Tensor.From(1f, 10f);
        for (int i = 0; i < 2; i++) (x + y).Backward(g);
        Assert.Equal([2f, 20f], x.Grad!.ToArray<float>());
        Assert.Equal([2f, 20f], y.Grad!.ToArray<float>());
        Assert.Equal([1f, 10f], g.ToArray<float>());
        Tensor leaf = Tensor.From(5f).RequiresGrad();
        Tensor seed = Tensor.From(2f);
        leaf.Backward(seed);
        leaf.Backward(seed);
        Assert.Equal([2f], seed.ToArray<float>());
        Assert.Equal([4f], leaf.Grad!.ToArray<float>());
    }
}
