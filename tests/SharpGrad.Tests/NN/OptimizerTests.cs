using System.Text.Json;
using SharpGrad.Optim;

namespace SharpGrad.Tests.NN;

/// <summary>SGD and Adam trajectories against PyTorch (tests/reference/generate_optim.py), plus groups and hyperparameters.</summary>
public class OptimizerTests
{
    private static readonly JsonDocument Doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "reference", "optim.json")));

    private static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => v.GetSingle()).ToArray();

    public static IEnumerable<object[]> Cases() =>
        Enumerable.Range(0, Doc.RootElement.GetProperty("cases").GetArrayLength()).Select(i => new object[] { i });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Trajectories_match_PyTorch(int index)
    {
        JsonElement c = Doc.RootElement.GetProperty("cases")[index];
        JsonElement h = c.GetProperty("hyper");
        double H(string n) => h.GetProperty(n).GetDouble();
        Tensor p = Tensor.From(Floats(Doc.RootElement.GetProperty("initial"))).RequiresGrad();
        Optimizer opt = c.GetProperty("optimizer").GetString() == "sgd"
            ? new Sgd([p], H("lr"), H("mom"), H("wd"))
            : new Adam([p], H("lr"), H("mom"), H("sqr_mom"), H("eps"), H("wd"));
        int step = 0;
        foreach (JsonElement g in Doc.RootElement.GetProperty("grads").EnumerateArray())
        {
            p.Grad = Tensor.From(Floats(g));
            opt.Step();
            float[] expected = Floats(c.GetProperty("steps")[step++]);
            float[] actual = p.ToArray<float>();
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f + 1e-5f * Math.Abs(expected[i]),
                    $"case {index} step {step} element {i}: {actual[i]} vs PyTorch {expected[i]}");
        }
    }

    [Fact]
    public void Plain_sgd_is_the_seeds_update()
    {
        Tensor w = Tensor.From(1f, 2f).RequiresGrad();
        var opt = new Sgd([w], lr: 0.5);
        (w * w).Sum().Backward();
        opt.Step();
        Assert.Equal([0f, 0f], w.ToArray<float>());
        opt.ZeroGrad();
        Assert.Null(w.Grad);
        (w + 1f).Sum().Backward();
        opt.ZeroGrad(setToNone: false);
        Assert.Equal([0f, 0f], w.Grad!.ToArray<float>());
    }

    [Theory]
    [InlineData(37)]        // the scalar tail only
    [InlineData(1000)]      // vector lanes and a tail
    [InlineData(300_001)]   // split over the cores
    public void Adam_updates_every_element_as_the_scalar_formula(int n)
    {
        var g = new Generator(4);
        Tensor p = Tensor.Randn([n], g).RequiresGrad();
        float[] w = p.ToArray<float>(), grad = Tensor.Randn([n], g).ToArray<float>();
        var opt = new Adam(new[] { p }, 1e-2, wd: 0);
        float[] avg = new float[n], sqr = new float[n];
        for (int step = 1; step <= 2; step++)
        {
            p.Grad = Tensor.From(grad);
            opt.Step();
            float mom = 0.9f, sqrMom = 0.99f, stepSize = 1e-2f / (1f - MathF.Pow(mom, step)), inv = 1f / (1f - MathF.Pow(sqrMom, step));
            for (int i = 0; i < n; i++)
            {
                avg[i] = mom * avg[i] + (1f - mom) * grad[i];
                sqr[i] = sqrMom * sqr[i] + (1f - sqrMom) * grad[i] * grad[i];
                w[i] -= stepSize * avg[i] / (MathF.Sqrt(sqr[i] * inv) + 1e-5f);
            }
        }
        Assert.Equal(w, p.ToArray<float>()); // bit for bit: no lane fuses or reorders the arithmetic
    }

    [Fact]
    public void Hyperparameters_are_per_group_and_settable()
    {
        Tensor a = Tensor.Zeros(2).RequiresGrad(), b = Tensor.Zeros(3).RequiresGrad();
        var opt = new Adam([new[] { a }, new[] { b }], lr: 1e-3);
        opt.SetHyper("lr", [1e-4, 1e-2]);
        Assert.Equal(1e-4, opt.ParamGroups[0]["lr"]);
        Assert.Equal(1e-2, opt.Lr);
        opt.SetHyper("mom", 0.85);
        Assert.All(opt.ParamGroups, g => Assert.Equal(0.85, g["mom"]));
        Assert.Contains("sqr_mom", Assert.Throws<KeyNotFoundException>(() => opt.SetHyper("momentum", 0.9)).Message);
        Assert.Contains("3 values for 2 parameter groups", Assert.Throws<ArgumentException>(() => opt.SetHyper("lr", [1.0, 2.0, 3.0])).Message);
    }

    [Fact]
    public void Bad_parameters_are_refused()
    {
        Assert.Contains("does not require grad", Assert.Throws<ArgumentException>(() => new Sgd([Tensor.Zeros(2)], 0.1)).Message);
        Tensor p = Tensor.Zeros(2).RequiresGrad();
        Assert.Contains("appears twice", Assert.Throws<ArgumentException>(() => new Sgd([p, p], 0.1)).Message);
        Assert.Contains("non-negative", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], -1)).Message);
    }
}
