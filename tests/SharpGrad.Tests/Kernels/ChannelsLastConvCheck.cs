using SharpGrad.Kernels;
using SharpGrad.Tests.Tensors;

namespace SharpGrad.Tests.Kernels;

/// <summary>
/// The check every channels-last conv path's tests share: random input, weight and bias, the path's channels-last
/// output against <see cref="ConvReference"/> (1e-4 relative and absolute), from an (N, C, H, W) input and from its
/// channels-last copy, with and without the bias when asked.
/// </summary>
internal static class ChannelsLastConvCheck
{
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
