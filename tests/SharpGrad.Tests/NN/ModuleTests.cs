using SharpGrad.NN;

namespace SharpGrad.Tests.NN;

/// <summary>Modules: PyTorch's names, init, printing, state dicts, train/eval.</summary>
public class ModuleTests
{
    private static Sequential SimpleNet() => Nn.Sequential(Nn.Linear(28 * 28, 30), Nn.ReLU(), Nn.Linear(30, 1));

    [Fact]
    public void State_dict_names_and_shapes_are_pytorchs()
    {
        var dict = SimpleNet().StateDict();
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], dict.Keys);
        Assert.Equal([30, 784], dict["0.weight"].Shape.ToArray());
        Assert.Equal([30], dict["0.bias"].Shape.ToArray());
        Assert.Equal([1, 30], dict["2.weight"].Shape.ToArray());
    }

    [Fact]
    public void It_prints_like_pytorch()
    {
        Assert.Equal("""
            Sequential(
              (0): Linear(in_features=784, out_features=30, bias=True)
              (1): ReLU()
              (2): Linear(in_features=30, out_features=1, bias=True)
            )
            """.ReplaceLineEndings("\n"), SimpleNet().ToString());
    }

    [Fact]
    public void Linear_init_is_uniform_within_one_over_sqrt_fan_in()
    {
        var l = new Linear(100, 50, generator: new Generator(1));
        float bound = 1f / MathF.Sqrt(100);
        float[] w = l.Weight.ToArray<float>(), b = l.Bias!.ToArray<float>();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.All(b, v => Assert.InRange(v, -bound, bound));
        Assert.True(w.Max() > 0.9f * bound && w.Min() < -0.9f * bound);
        Assert.True(l.Weight.RequiresGradient && l.Weight.IsLeaf);
        Assert.Equal(4 * 1, l.Forward(Tensor.Zeros(4, 100)).Shape[0]);
    }

    [Fact]
    public void Forward_matches_the_formula_and_errors_name_the_shape()
    {
        var l = new Linear(3, 2, generator: new Generator(2));
        Tensor x = Tensor.Rand([5, 3], new Generator(3));
        TensorAssert.Close(x.MatMul(l.Weight.T) + l.Bias!, l.Forward(x), 1e-6f, 1e-6f, "linear");
        var e = Assert.Throws<ArgumentException>(() => l.Forward(Tensor.Zeros(5, 4)));
        Assert.Contains("[5, 4]", e.Message);
    }

    [Fact]
    public void Load_state_dict_copies_values_and_names_every_mismatch()
    {
        Sequential a = SimpleNet(), b = SimpleNet();
        b.LoadStateDict(a.StateDict());
        Assert.Equal(a.StateDict()["0.weight"].ToArray<float>(), b.StateDict()["0.weight"].ToArray<float>());
        var missing = new Dictionary<string, Tensor>(a.StateDict());
        missing.Remove("2.bias");
        missing["3.weight"] = Tensor.Zeros(1);
        var e = Assert.Throws<ArgumentException>(() => b.LoadStateDict(missing));
        Assert.Contains("missing 2.bias", e.Message);
        Assert.Contains("unexpected 3.weight", e.Message);
        var wrong = new Dictionary<string, Tensor>(a.StateDict()) { ["0.bias"] = Tensor.Zeros(31) };
        Assert.Contains("'0.bias' is torch.float32 [31]", Assert.Throws<ArgumentException>(() => b.LoadStateDict(wrong)).Message);
    }

    [Fact]
    public void Train_and_eval_reach_every_child_and_dropout_follows_them()
    {
        var drop = Nn.Dropout(0.5f, new Generator(4));
        var net = Nn.Sequential(Nn.Linear(4, 4), Nn.Sequential(drop));
        net.Eval();
        Assert.False(drop.IsTraining);
        Tensor x = Tensor.Ones(1000);
        Assert.Equal(x.ToArray<float>(), drop.Forward(x).ToArray<float>());
        net.Train();
        float[] y = drop.Forward(x).ToArray<float>();
        Assert.All(y, v => Assert.True(v == 0f || v == 2f));
        Assert.InRange(y.Count(v => v == 0f), 430, 570);
    }

    [Fact]
    public void Parameters_are_registered_once_with_unique_names()
    {
        Assert.Equal(4, SimpleNet().Parameters().Count());
        Assert.Equal(30 * 784 + 30 + 30 + 1, SimpleNet().Parameters().Sum(p => p.Numel));
    }
}
