using SharpGrad.Kernels;
using SharpGrad.Tests.Tensors;

namespace SharpGrad.Tests.Kernels;

/// <summary>
/// The check every channels-last conv path's tests share: random input, weight and bias, the path's channels-last
/// output against <see cref="ConvReference"/> (1e-4 relative and absolute), from an (N, C, H, W) input and from its
/// channels-last copy, with and without the bias when asked; and a path's fused batch norm against the norm after it.
/// </summary>
internal static unsafe class ChannelsLastConvCheck
{
    /// <summary>A channels-last forward on pointers: (output, input (N, C, H, W), weight, bias, epilogue).</summary>
    public delegate void Fusable(float* output, float* input, float* weight, float* bias, ConvEpilogue epilogue);

    /// <summary>
    /// The path with an eval batch norm (+ residual, ReLU) fused gives bitwise the floats of the path without it and
    /// <see cref="NormChannelsLast.EvalForward"/> after it, and the ReLU zeroed some of them.
    /// </summary>
    public static void FusedNormIsTheNormAfter(Conv2dGeometry s, ulong seed, Fusable forward)
    {
        var g = new Generator(seed);
        float[] x = Tensor.Randn([s.N * s.InputImage], g).ToArray<float>(), w = Tensor.Randn([s.WeightSize], g).ToArray<float>();
        float[] b = Tensor.Randn([s.OC], g).ToArray<float>(), mean = Tensor.Randn([s.OC], g).ToArray<float>();
        float[] scale = Tensor.Rand([s.OC], g).ToArray<float>(), shift = Tensor.Randn([s.OC], g).ToArray<float>();
        float[] residual = Tensor.Randn([s.N * s.OutputImage], g).ToArray<float>();
        float[] unfused = new float[s.N * s.OutputImage], fused = new float[unfused.Length];
        fixed (float* px = x, pw = w, pb = b, pm = mean, ps = scale, pt = shift, pr = residual, pu = unfused, pf = fused)
        {
            forward(pu, px, pw, pb, default);
            NormChannelsLast.EvalForward(pu, pu, pr, pm, ps, pt, (long)s.N * s.OH * s.OW, s.OC, relu: true);
            forward(pf, px, pw, pb, new ConvEpilogue(pm, ps, pt, pr, relu: true));
        }
        Assert.Equal(unfused, fused);
        Assert.Contains(fused, v => v == 0f); // the ReLU took effect
    }

    /// <summary>A channels-last forward: (output, input, input is channels-last, weight, bias or empty).</summary>
    public delegate void Forward(float[] output, float[] input, bool inputChannelsLast, float[] weight, float[] bias);

    public static void MatchesReference(Conv2dGeometry s, ulong seed, Forward forward, bool withAndWithoutBias = true)
    {
        var g = new Generator(seed);
        float[] x = Tensor.Randn([s.N * s.InputImage], g).ToArray<float>(), w = Tensor.Randn([s.WeightSize], g).ToArray<float>();
        float[] b = Tensor.Randn([s.OC], g).ToArray<float>();
        float[] xLast = ChannelsLastTests.ToChannelsLast(x, s.N, s.C, s.H * s.W);
        foreach (bool withBias in withAndWithoutBias ? new[] { true, false } : new[] { true })
        {
            float[] expected = new float[s.N * s.OutputImage];
            ConvReference.Forward(expected, x, w, withBias ? b : default, s);
            foreach (bool inputLast in new[] { false, true })
            {
                float[] y = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
                forward(y, inputLast ? xLast : x, inputLast, w, withBias ? b : []);
                TensorAssert.Close(Tensor.From(expected, [expected.Length]), Tensor.From(ChannelsLastTests.FromChannelsLast(y, s.N, s.OC, s.OH * s.OW), [expected.Length]),
                    1e-4f, 1e-4f, $"{s}, bias: {withBias}, input channels-last: {inputLast}");
            }
        }
    }
}
