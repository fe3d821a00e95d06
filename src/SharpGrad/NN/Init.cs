namespace SharpGrad.NN;

/// <summary>Weight initialisation as PyTorch's <c>nn.init</c>, drawing from a <see cref="Generator"/>.</summary>
public static class Init
{
    [ThreadStatic] private static bool t_skip;

    /// <summary>
    /// Until the returned scope ends, initialisers on this thread leave tensors as they are (zeros) and draw nothing:
    /// for modules built only to receive saved weights (PyTorch's <c>skip_init</c>). Loading resnet18 from a file takes
    /// 250 ms less without drawing 11M numbers it then overwrites.
    /// </summary>
    internal static SkipScope Skip()
    {
        bool outer = t_skip;
        t_skip = true;
        return new SkipScope(outer);
    }

    /// <summary>Ends <see cref="Skip"/>.</summary>
    internal readonly struct SkipScope(bool outer) : IDisposable
    {
        public void Dispose() => t_skip = outer;
    }

    /// <summary>Fills <paramref name="t"/> in place with U(<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static Tensor Uniform(Tensor t, float low, float high, Generator? generator = null)
    {
        if (t_skip) return t;
        Generator g = generator ?? Generator.Default;
        if (!t.IsContiguous) throw new ArgumentException("Init.Uniform: the tensor must be contiguous.");
        CapturedGraph.ThrowIfCapturing("Init.Uniform", "initialisation draws random numbers, which a replay would repeat");
        Span<float> v = t.Contents<float>();
        for (int i = 0; i < v.Length; i++) v[i] = low + (high - low) * g.NextFloat();
        return t;
    }

    /// <summary>Fills <paramref name="t"/> in place with N(0, <paramref name="std"/>²).</summary>
    public static Tensor Normal(Tensor t, float std, Generator? generator = null)
    {
        if (t_skip) return t;
        Generator g = generator ?? Generator.Default;
        if (!t.IsContiguous) throw new ArgumentException("Init.Normal: the tensor must be contiguous.");
        CapturedGraph.ThrowIfCapturing("Init.Normal", "initialisation draws random numbers, which a replay would repeat");
        Span<float> v = t.Contents<float>();
        for (int i = 0; i < v.Length; i++) v[i] = std * g.NextNormal();
        return t;
    }

    /// <summary>Fan-in of a weight: <c>shape[1] * prod(shape[2..])</c> (a Linear's in_features, a conv's in_channels × kernel area).</summary>
    public static int FanIn(Tensor weight)
    {
        if (weight.NDim < 2) throw new ArgumentException($"FanIn needs a weight of at least 2 dims, got {weight.Shape}.");
        int fan = weight.Size(1);
        for (int d = 2; d < weight.NDim; d++) fan *= weight.Size(d);
        return fan;
    }

    /// <summary>Fan-out: <c>shape[0] * prod(shape[2..])</c>.</summary>
    public static int FanOut(Tensor weight)
    {
        if (weight.NDim < 2) throw new ArgumentException($"FanOut needs a weight of at least 2 dims, got {weight.Shape}.");
        int fan = weight.Size(0);
        for (int d = 2; d < weight.NDim; d++) fan *= weight.Size(d);
        return fan;
    }

    /// <summary>PyTorch's default for Linear and Conv weights, <c>kaiming_uniform_(a=sqrt(5))</c>: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).</summary>
    public static Tensor KaimingUniformDefault(Tensor weight, Generator? generator = null)
    {
        float bound = 1f / MathF.Sqrt(FanIn(weight));
        return Uniform(weight, -bound, bound, generator);
    }

    /// <summary><c>kaiming_uniform_(nonlinearity='relu')</c>: U(-b, b) with b = sqrt(6 / fan), fan_in or fan_out.</summary>
    public static Tensor KaimingUniform(Tensor weight, bool fanOut = false, Generator? generator = null)
    {
        float bound = MathF.Sqrt(6f / (fanOut ? FanOut(weight) : FanIn(weight)));
        return Uniform(weight, -bound, bound, generator);
    }

    /// <summary><c>kaiming_normal_(nonlinearity='relu')</c>: N(0, 2 / fan), fan_in or fan_out (torchvision's ResNet uses fan_out).</summary>
    public static Tensor KaimingNormal(Tensor weight, bool fanOut = false, Generator? generator = null) =>
        Normal(weight, MathF.Sqrt(2f / (fanOut ? FanOut(weight) : FanIn(weight))), generator);
}
