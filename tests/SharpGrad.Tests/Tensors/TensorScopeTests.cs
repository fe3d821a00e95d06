using SharpGrad.NN;
using SharpGrad.Optim;

namespace SharpGrad.Tests;

/// <summary>TensorScope: tensors made inside give their memory back when it ends, and cannot be read afterwards.</summary>
public class TensorScopeTests
{
    [Fact]
    public void A_tensor_made_inside_a_scope_cannot_be_read_after_it()
    {
        Tensor inside;
        using (new TensorScope()) inside = Tensor.Ones(3, 4) * 2f;
        var e = Assert.Throws<ObjectDisposedException>(() => inside.ToArray<float>());
        Assert.Contains("TensorScope", e.Message);
        Assert.Contains("Keep()", e.Message);
        Assert.Equal([3, 4], inside.Shape.ToArray()); // the shape is still known
        Assert.Throws<ObjectDisposedException>(() => inside[0, 0].Item());
        Assert.Throws<ObjectDisposedException>(() => inside.ToString());
    }

    [Fact]
    public void Kept_tensors_and_their_views_stay_valid()
    {
        Tensor kept, view, dropped;
        using (new TensorScope())
        {
            kept = Tensor.Arange(6).Float().Reshape(2, 3) + 1f;
            view = kept.T;
            kept.Keep();
            dropped = kept * 10f;
        }
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], kept.ToArray<float>());
        Assert.Equal([1f, 4f, 2f, 5f, 3f, 6f], view.ToArray<float>());
        Assert.Throws<ObjectDisposedException>(() => dropped.ToArray<float>());
    }

    [Fact]
    public void Tensors_made_before_the_scope_are_untouched_and_may_be_updated_in_place()
    {
        Tensor w = Tensor.Ones(4);
        Tensor wView = w.Reshape(2, 2);
        using (new TensorScope())
        {
            Tensor step = w * 0.5f;
            w.SubInPlace(step, 1f);
            Tensor v = w.Reshape(2, 2); // a view of outside memory made inside: not the scope's to release
            Assert.Equal(0.5f, v[0, 0].Item());
        }
        Assert.Equal([0.5f, 0.5f, 0.5f, 0.5f], w.ToArray<float>());
        Assert.Equal([0.5f, 0.5f, 0.5f, 0.5f], wView.ToArray<float>());
    }

    [Fact]
    public void An_inner_scope_releases_only_its_own_tensors()
    {
        Tensor outer, viewOfOuter, inner;
        using (new TensorScope())
        {
            outer = Tensor.Full([2, 2], 3f) + 0f;
            using (new TensorScope())
            {
                viewOfOuter = outer.Reshape(4);
                inner = outer + 1f;
            }
            Assert.Throws<ObjectDisposedException>(() => inner.ToArray<float>());
            Assert.Equal([3f, 3f, 3f, 3f], viewOfOuter.ToArray<float>());
        }
        Assert.Throws<ObjectDisposedException>(() => outer.ToArray<float>());
        Assert.Throws<ObjectDisposedException>(() => viewOfOuter.ToArray<float>());
    }

    [Fact]
    public void Disposing_an_outer_scope_before_an_inner_one_is_refused()
    {
        var outer = new TensorScope();
        var inner = new TensorScope();
        var e = Assert.Throws<InvalidOperationException>(outer.Dispose);
        Assert.Contains("innermost", e.Message);
        inner.Dispose();
        outer.Dispose();
    }

    [Fact]
    public void Gradients_made_inside_a_scope_outlive_it()
    {
        Tensor w = Tensor.From([1f, 2f, 3f]).RequiresGrad();
        using (new TensorScope()) (w * w).Sum().Backward();
        Assert.Equal([2f, 4f, 6f], w.Grad!.ToArray<float>());
        using (new TensorScope()) (w * w).Sum().Backward(); // accumulates into the kept gradient
        Assert.Equal([4f, 8f, 12f], w.Grad!.ToArray<float>());
    }

    [Fact]
    public void Memory_is_reused_and_zeros_are_zero_after_reuse()
    {
        for (int i = 0; i < 3; i++)
        {
            using (new TensorScope())
            {
                Tensor z = Tensor.Zeros(1000, 1000);
                Assert.All(z.ToArray<float>(), v => Assert.Equal(0f, v));
                Tensor filled = Tensor.Full([1000, 1000], float.NaN) * 2f; // leaves NaNs in the pool
                Assert.True(float.IsNaN(filled[0, 0].Item()));
            }
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        using (new TensorScope())
        {
            Tensor z = Tensor.Zeros(1000, 1000);
            Tensor filled = Tensor.Full([1000, 1000], float.NaN) * 2f;
            Assert.Equal(0f, z.Sum().Item());
            Assert.True(float.IsNaN(filled.Sum().Item()));
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 100_000, $"a scope that makes 4 MB tensors allocated {allocated:N0} bytes on its second run; its arrays should come from the pool");
    }

    /// <summary>A small CNN training step (conv, batch norm, pooling, Adam): the weights after a few steps.</summary>
    private static float[] TrainCnn(bool scoped)
    {
        var g = new Generator(3);
        var model = Nn.Sequential(Nn.Conv2d(3, 8, 3, padding: 1, generator: g), Nn.BatchNorm2d(8), Nn.ReLU(), Nn.MaxPool2d(2),
            Nn.Conv2d(8, 4, 3, stride: 2, generator: g), Nn.Flatten(), Nn.Linear(16, 2, generator: g));
        var opt = new Adam(model.Parameters(), 1e-2);
        Tensor x = Tensor.Randn([5, 3, 10, 10], g), y = Tensor.Randint(0, 2, [5], g);
        for (int i = 0; i < 4; i++)
        {
            TensorScope? scope = scoped ? new TensorScope() : null;
            F.CrossEntropy(model.Forward(x), y).Backward();
            opt.Step();
            opt.ZeroGrad(setToNone: false);
            scope?.Dispose();
        }
        return [.. model.Parameters().SelectMany(p => p.ToArray<float>())];
    }

    [Fact]
    public void Training_in_scopes_gives_bitwise_the_same_weights()
    {
        // Pooled arrays come back dirty; every op must still compute exactly what it does on fresh memory.
        Assert.Equal(TrainCnn(scoped: false), TrainCnn(scoped: true));
    }
}
