using SharpGrad.Kernels;
using SharpGrad.Tests.Tensors;

namespace SharpGrad.Tests.Kernels;

/// <summary>
/// The F(2×2, 3×3) Winograd conv (inference, channels-last output) against the reference conv: maps whose last tile
/// row and column are half outside, channel counts that leave a partial vector, masked output panels, padding 0 to 2,
/// groups of tiles that run across images, with and without a bias, from either input layout; its fused batch norm
/// bitwise the norm applied after it; and its error against the exact sum, next to the direct GEMM's.
/// </summary>
[Trait("Category", "Kernels")]
public class ConvWinogradTests
{
    public static IEnumerable<object[]> Shapes() =>
    [
        // N, C, H, W, OC, pad
        [new[] { 2, 16, 56, 56, 32, 1 }],  // resnet's layer1 shape, smaller: many groups
        [new[] { 3, 20, 7, 7, 40, 1 }],    // 7x7: the last tile row and column half outside; 20 channels: a partial vector; 40: a masked panel
        [new[] { 2, 32, 5, 9, 24, 0 }],    // no padding: 3x7 outputs
        [new[] { 2, 16, 6, 6, 16, 2 }],    // padding 2: 8x8 outputs, tiles reading two rows of zeros
        [new[] { 5, 64, 2, 2, 48, 1 }],    // 2x2 maps: one tile per image
        [new[] { 7, 24, 14, 14, 64, 1 }],  // 7 tile rows per image: groups start and end inside images
        [new[] { 1, 17, 3, 4, 5, 1 }],     // 17 channels (a lone last one), 5 output channels
    ];

    [Theory]
    [MemberData(nameof(Shapes))]
    public unsafe void Winograd_matches_the_reference_conv(int[] d)
    {
        var s = new Conv2dGeometry(d[0], d[1], d[2], d[3], d[4], 3, 3, 1, 1, d[5], d[5], 1, 1, 1);
        var plan = new ConvPlan(s);
        if (!StridedKernel.Available) return; // the AVX2-off rerun: no strided micro-kernel, so no Winograd (checked below)
        ChannelsLastConvCheck.MatchesReference(s, 11, (y, x, inputLast, w, b) =>
        {
            fixed (float* py = y, px = x, pw = w, pb = b) ConvWinograd.Forward(py, px, inputLast, pw, b.Length == 0 ? null : pb, plan, default);
        });
    }

    [Fact]
    public void The_channels_last_forward_takes_it_for_stride_1_3x3_convs_with_enough_tiles()
    {
        bool available = StridedKernel.Available;
        Assert.Equal(available, ConvWinograd.Supports(new ConvPlan(new Conv2dGeometry(64, 64, 56, 56, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1))));
        Assert.Equal(available, ConvWinograd.Supports(new ConvPlan(new Conv2dGeometry(64, 512, 7, 7, 512, 3, 3, 1, 1, 1, 1, 1, 1, 1))));
        Assert.Equal(available, ConvWinograd.Supports(new ConvPlan(new Conv2dGeometry(64, 256, 2, 2, 256, 3, 3, 1, 1, 1, 1, 1, 1, 1))));
        Assert.Equal(available, ConvWinograd.Supports(new ConvPlan(new Conv2dGeometry(1, 128, 28, 28, 128, 3, 3, 1, 1, 1, 1, 1, 1, 1))));
        // too few tiles to pay for the weight's transform: a single image's 7x7 or 14x14 maps
        Assert.False(ConvWinograd.Supports(new ConvPlan(new Conv2dGeometry(1, 512, 7, 7, 512, 3, 3, 1, 1, 1, 1, 1, 1, 1))));
        Assert.False(ConvWinograd.Supports(new ConvPlan(new Conv2dGeometry(1, 256, 14, 14, 256, 3, 3, 1, 1, 1, 1, 1, 1, 1))));
        Assert.False(ConvWinograd.Supports(new ConvPlan(new Conv2dGeometry(64, 64, 56, 56, 128, 3, 3, 2, 2, 1, 1, 1, 1, 1)))); // stride 2
        Assert.False(ConvWinograd.Supports(new ConvPlan(new Conv2dGeometry(2, 16, 16, 16, 16, 3, 3, 1, 1, 2, 2, 2, 2, 1)))); // dilated
        Assert.False(ConvWinograd.Supports(new ConvPlan(new Conv2dGeometry(2, 16, 16, 16, 16, 5, 5, 1, 1, 2, 2, 1, 1, 1)))); // 5x5
        Assert.False(ConvWinograd.Supports(new ConvPlan(new Conv2dGeometry(2, 8, 16, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1))));  // 8 channels
        Assert.False(ConvWinograd.Supports(new ConvPlan(new Conv2dGeometry(64, 512, 1, 1, 512, 3, 3, 1, 1, 1, 1, 1, 1, 1)))); // 1x1 map: one live tap
        Assert.False(ConvWinograd.Supports(new ConvPlan(new Conv2dGeometry(2, 32, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, 2)))); // grouped
    }

    [Fact]
    public unsafe void The_fused_batch_norm_gives_the_floats_of_the_norm_after_the_conv()
    {
        var s = new Conv2dGeometry(3, 24, 9, 11, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        var plan = new ConvPlan(s);
        if (!StridedKernel.Available) return;
        ChannelsLastConvCheck.FusedNormIsTheNormAfter(s, 12, (y, x, w, b, epilogue) => ConvWinograd.Forward(y, x, false, w, b, plan, epilogue));
    }

    [Fact]
    public unsafe void It_is_as_close_to_the_exact_sum_as_the_direct_GEMM()
    {
        // resnet's layer3 shape at 14x14: 2,304 products per output, summed in double for the exact value
        var s = new Conv2dGeometry(2, 256, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        var plan = new ConvPlan(s);
        if (!StridedKernel.Available) return;
        var g = new Generator(13);
        float[] x = Tensor.Randn([s.N * s.InputImage], g).ToArray<float>(), w = Tensor.Randn([s.WeightSize], g).ToArray<float>();
        float[] y = new float[s.N * s.OutputImage], direct = new float[s.N * s.OutputImage];
        fixed (float* py = y, px = x, pw = w) ConvWinograd.Forward(py, px, false, pw, null, plan, default);
        fixed (float* pd = direct, px = x, pw = w) ConvImplicit.Forward(pd, true, px, false, pw, weightReordered: false, null, plan); // the direct sum, channels-last
        double worst = 0, worstDirect = 0, scaleOfOutputs = 0;
        for (int n = 0; n < s.N; n++)
            for (int o = 0; o < s.OC; o++)
                for (int oh = 0; oh < s.OH; oh++)
                    for (int ow = 0; ow < s.OW; ow++)
                    {
                        double exact = 0;
                        for (int c = 0; c < s.C; c++)
                            for (int kh = 0; kh < 3; kh++)
                                for (int kw = 0; kw < 3; kw++)
                                {
                                    int ih = oh + kh - 1, iw = ow + kw - 1;
                                    if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                                    exact += (double)x[((n * s.C + c) * s.H + ih) * s.W + iw] * w[((o * s.C + c) * 3 + kh) * 3 + kw];
                                }
                        float actual = y[((n * s.OH + oh) * s.OW + ow) * s.OC + o];
                        worst = Math.Max(worst, Math.Abs(actual - exact));
                        worstDirect = Math.Max(worstDirect, Math.Abs(direct[((n * s.OH + oh) * s.OW + ow) * s.OC + o] - exact));
                        scaleOfOutputs = Math.Max(scaleOfOutputs, Math.Abs(exact));
                    }
        // Measured (Zen 3, AVX2): worst 1.25e-4 against the direct GEMM's 1.53e-4, outputs up to 215 (a float's step
        // there is 1.5e-5): the transforms' additions cost no more accuracy than the direct sum's own roundings.
        Assert.True(worst <= 2 * worstDirect, $"worst error {worst:g3}, the direct GEMM's {worstDirect:g3}, outputs up to {scaleOfOutputs:g3}");
    }
}

/// <summary>Results that must not depend on how many threads split the work (changes the process-wide thread count, so runs alone).</summary>
[Collection(nameof(GlobalThreadCount))]
[Trait("Category", "Kernels")]
public class ConvWinogradThreadTests
{
    [Fact]
    public unsafe void One_thread_and_all_threads_give_the_same_floats()
    {
        var s = new Conv2dGeometry(5, 32, 13, 13, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        var plan = new ConvPlan(s);
        if (!StridedKernel.Available) return;
        var g = new Generator(14);
        float[] x = Tensor.Randn([s.N * s.InputImage], g).ToArray<float>(), w = Tensor.Randn([s.WeightSize], g).ToArray<float>();
        float[] all = new float[s.N * s.OutputImage], one = new float[all.Length];
        int threads = Parallelism.Threads;
        try
        {
            fixed (float* px = x, pw = w, pa = all, po = one)
            {
                Parallelism.Threads = Math.Max(2, threads);
                ConvWinograd.Forward(pa, px, false, pw, null, plan, default);
                Parallelism.Threads = 1;
                ConvWinograd.Forward(po, px, false, pw, null, plan, default);
            }
        }
        finally
        {
            Parallelism.Threads = threads;
        }
        Assert.Equal(all, one);
    }
}

[CollectionDefinition(nameof(GlobalThreadCount), DisableParallelization = true)]
public class GlobalThreadCount;
