using System.Numerics.Tensors;
using SharpGrad;
using Tensor = SharpGrad.Tensor; // System.Numerics.Tensors also defines Tensor: without this alias the file does not compile (CS0104)

// Outside the SharpGrad namespace on purpose, as a user's code is: inside it, Tensor would resolve without the alias.
namespace SharpGradConsumer;

/// <summary>A file importing both SharpGrad and System.Numerics.Tensors compiles with the README's one-line alias.</summary>
public class NamespaceAliasTests
{
    [Fact]
    public void BothNamespacesWorkTogether()
    {
        Tensor t = Tensor.Ones(3);
        float dot = TensorPrimitives.Dot<float>([1f, 2f, 3f], [1f, 1f, 1f]);
        Assert.Equal(dot, (t * Tensor.From(1f, 2f, 3f)).Sum().Item());
        Assert.Equal(typeof(SharpGrad.Tensor), t.GetType());
    }
}
