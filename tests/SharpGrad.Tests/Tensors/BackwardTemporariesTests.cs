using SharpGrad.NN;

namespace SharpGrad.Tests;

/// <summary>
/// A backward pass inside a <see cref="TensorScope"/> gives back every buffer it made that no gradient holds (a rule's
/// temporaries, gradients already added into a leaf's .Grad) as soon as the node is done, instead of when the scope ends.
/// </summary>
public class BackwardTemporariesTests
{
    /// <summary>conv → BN+ReLU → conv → BN+residual+ReLU → conv (w2 used twice, so its gradient accumulates) → mean of squares.</summary>
    private static Tensor Loss(Tensor x, Tensor w1, Tensor w2, Tensor gamma, Tensor beta)
    {
        Tensor a = Tensor.BatchNorm(F.Conv2d(x, w1, padding: 1), null, null, gamma, beta, training: true, 0.1f, 1e-5f, relu: true);
        Tensor b = Tensor.BatchNorm(F.Conv2d(a, w2, padding: 1), null, null, gamma, beta, training: true, 0.1f, 1e-5f, relu: true, residual: a);
        Tensor d = F.Conv2d(b, w2, padding: 1);
        return (d * d).Mean();
    }

    [Fact]
    public void Backward_leaves_no_buffer_of_its_own_in_the_scope_and_the_gradients_are_unchanged()
    {
        var g = new Generator(5);
        Tensor x = Tensor.Randn([2, 3, 6, 6], g);
        Tensor w1 = (Tensor.Randn([4, 3, 3, 3], g) * 0.3f).RequiresGrad(), w2 = (Tensor.Randn([4, 4, 3, 3], g) * 0.3f).RequiresGrad();
        Tensor gamma = (Tensor.Rand([4], g) + 0.5f).RequiresGrad(), beta = Tensor.Randn([4], g).RequiresGrad();
        Tensor[] leaves = [w1, w2, gamma, beta];

        Loss(x, w1, w2, gamma, beta).Backward();
        float[][] expected = [.. leaves.Select(t => t.Grad!.ToArray<float>())];

        foreach (Tensor t in leaves) t.Grad = null;
        using (var scope = new TensorScope())
        {
            Tensor loss = Loss(x, w1, w2, gamma, beta);
            var before = new HashSet<Array>(scope.OwnedArrays, ReferenceEqualityComparer.Instance);
            // freeing saved memory too, as the Learner does: a forward output goes back once its last reader has run
            loss.Backward(null, retainGraph: false, freeSavedExcept: []);
            Array[] left = [.. scope.OwnedArrays.Where(a => !before.Contains(a))];
            Assert.True(left.Length == 0,
                $"Backward left {left.Length} buffer(s) of its own in the scope, of lengths {string.Join(", ", left.Select(a => a.Length))}.");
        }
        for (int i = 0; i < leaves.Length; i++) Assert.Equal(expected[i], leaves[i].Grad!.ToArray<float>());
    }

    [Fact]
    public void Batch_norm_holds_its_output_for_backward_only_in_the_residual_form()
    {
        var g = new Generator(6);
        Tensor x = Tensor.Randn([2, 3, 4, 4], g).RequiresGrad(), gamma = Tensor.Ones(3).RequiresGrad(), beta = Tensor.Zeros(3).RequiresGrad();
        // plain and with ReLU the rule recomputes what it needs from x, so the output may go back before the rule runs...
        Tensor plain = Tensor.BatchNorm(x, null, null, gamma, beta, training: true, 0.1f, 1e-5f);
        Tensor relu = Tensor.BatchNorm(x, null, null, gamma, beta, training: true, 0.1f, 1e-5f, relu: true);
        Assert.Null(plain.GradFn!.OutputStorage);
        Assert.Null(relu.GradFn!.OutputStorage);
        // ...while relu(bn(x) + residual) reads its output for the mask it also hands to the residual
        Tensor tail = Tensor.BatchNorm(x, null, null, gamma, beta, training: true, 0.1f, 1e-5f, relu: true, residual: relu);
        Assert.Same(tail.Storage, tail.GradFn!.OutputStorage);
    }
}
