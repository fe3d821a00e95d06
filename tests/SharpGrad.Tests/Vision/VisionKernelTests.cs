using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpGrad.Kernels;

namespace SharpGrad.Tests.Vision;

/// <summary>
/// The conv, pool and batch-norm kernels against their plain <c>Reference</c> twins on random shapes, including shapes
/// that take every path: one image per block and several, large pointwise convs read in place, groups run side by side,
/// and plane and channel loops split over the cores.
/// </summary>
[Trait("Category", "Kernels")]
public class VisionKernelTests
{
    private static float[] Random(int n, Generator g) => Tensor.Randn([n], g).ToArray<float>();

    /// <summary>|a - e| ≤ 1e-4·(|e| + rms(e)): summation-order noise passes, a wrong term (of order rms) does not.</summary>
    private static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double rms = 0;
        foreach (float e in expected) rms += (double)e * e;
        rms = Math.Sqrt(rms / Math.Max(1, expected.Length));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4 * (Math.Abs(expected[i]) + rms) || (float.IsNaN(expected[i]) && float.IsNaN(actual[i])),
                $"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R} (rms {rms:G4})");
    }

    public static IEnumerable<object[]> ConvShapes()
    {
        // N, C, H, W, OC, KH, KW, strideH, strideW, padH, padW, dilH, dilW, groups
        int[][] fixedShapes =
        [
            [9, 16, 64, 64, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1],   // blocks of 7 and 2 images
            [3, 8, 20, 20, 6, 1, 1, 1, 1, 0, 0, 1, 1, 1],    // pointwise, read in place
            [4, 32, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, 4],  // groups side by side
            [2, 16, 32, 32, 16, 3, 3, 2, 2, 1, 1, 1, 1, 16], // depthwise
            [64, 3, 28, 28, 8, 7, 7, 2, 2, 3, 3, 1, 1, 1],   // resnet stem on MNIST
            [1, 5, 9, 11, 7, 7, 5, 3, 2, 3, 2, 2, 1, 1],
            // the resnet18 layers on MNIST (the masked AVX-512 rows: width <= 16, stride 1 or 2)
            [4, 8, 7, 7, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1],      // layer1
            [4, 8, 7, 7, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1],     // layer2's first conv
            [4, 8, 7, 7, 16, 1, 1, 2, 2, 0, 0, 1, 1, 1],     // layer2's downsample
            [3, 16, 1, 1, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1],    // layer4 on a 1x1 map: only the centre tap is inside
            [2, 3, 33, 31, 4, 3, 3, 2, 2, 0, 1, 1, 1, 1],    // stride 2, 16 outputs a row: reads 32 input columns
            [2, 3, 20, 20, 4, 3, 3, 2, 2, 2, 2, 2, 2, 1],    // stride 2 with dilation 2
            [2, 3, 12, 17, 4, 2, 3, 1, 1, 0, 1, 1, 1, 1],    // 17 outputs a row: the general loop
            [2, 3, 40, 70, 4, 7, 7, 2, 2, 3, 3, 1, 1, 1],    // a 7x7/2 stem, 35 outputs a row: 16- and 8-wide stride-2 copies and a tail
            [1, 2, 9, 100, 3, 3, 3, 2, 2, 1, 1, 1, 2, 1],    // stride 2 with dilation 2 across, 50 outputs a row
            [2, 3, 184, 184, 4, 7, 7, 2, 2, 3, 3, 1, 1, 1],  // a stem with 92x92 outputs: one image per block, straight into the output
            // stride 1, maps of 5x5 and more, under 16 channels: the input gradient as a forward conv with the flipped weight
            [4, 12, 5, 5, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1],    // the smallest maps that take it
            [2, 4, 8, 8, 5, 3, 3, 1, 1, 0, 0, 1, 1, 1],      // no padding: the flipped conv pads by 2
            [3, 2, 9, 6, 3, 5, 3, 1, 1, 2, 0, 1, 1, 1],      // rectangular kernel, padding on one axis
            // 16 or more input channels, ungrouped: one im2col row per output pixel (ConvPixelRows)
            [4, 16, 7, 7, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1],    // layer1
            [4, 16, 7, 7, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1],    // layer2's first conv
            [4, 16, 7, 7, 32, 1, 1, 2, 2, 0, 0, 1, 1, 1],    // layer2's downsample
            [5, 32, 2, 2, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1],    // layer3 on 2x2 maps
            [3, 32, 2, 2, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1],    // layer4's first conv: 4 of 9 taps live
            [2, 17, 5, 6, 5, 3, 2, 1, 2, 1, 0, 2, 1, 1],     // 17 channels (a vector and one), dilation, stride on one axis
            [2, 20, 9, 9, 33, 1, 1, 1, 1, 0, 0, 1, 1, 1],    // small pointwise conv, lowered (81 pixels < 256)
            // every tap live, not keeping the im2col for backward: the implicit GEMM over a padded channels-last copy (ConvImplicit)
            [1, 16, 56, 56, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1],  // 56 outputs a row: four tiles of 14
            [2, 32, 30, 30, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1],  // tiles of 10, a masked 8-column panel
            [3, 16, 29, 15, 64, 3, 3, 2, 2, 1, 1, 1, 1, 1],  // stride 2, 8 outputs a row
            [2, 24, 20, 20, 32, 5, 5, 1, 1, 2, 2, 1, 1, 1],  // 5x5, padding 2
            [2, 16, 16, 16, 16, 3, 3, 1, 1, 1, 1, 2, 2, 1],  // dilation 2
            [2, 16, 15, 15, 48, 1, 1, 2, 2, 0, 0, 1, 1, 1],  // a downsample: 1x1 stride 2
        ];
        foreach (int[] s in fixedShapes) yield return [s];
        var g = new Generator(11);
        for (int t = 0; t < 24; t++)
        {
            int groups = 1 + (int)g.NextInt64(0, 3);
            int kh = 1 + (int)g.NextInt64(0, 5), kw = 1 + (int)g.NextInt64(0, 5);
            int dh = 1 + (int)g.NextInt64(0, 2), dw = 1 + (int)g.NextInt64(0, 2);
            int ph = (int)g.NextInt64(0, kh), pw = (int)g.NextInt64(0, kw);
            int h = Math.Max(1, dh * (kh - 1) + 1 - 2 * ph) + (int)g.NextInt64(0, 9);
            int w = Math.Max(1, dw * (kw - 1) + 1 - 2 * pw) + (int)g.NextInt64(0, 9);
            yield return [new[]
            {
                1 + (int)g.NextInt64(0, 4), groups * (1 + (int)g.NextInt64(0, 3)), h, w, groups * (1 + (int)g.NextInt64(0, 4)),
                kh, kw, 1 + (int)g.NextInt64(0, 3), 1 + (int)g.NextInt64(0, 3), ph, pw, dh, dw, groups,
            }];
        }
    }

    [Theory]
    [InlineData(1, 16, 56, 56, 32, 1, 1)]
    [InlineData(3, 16, 29, 15, 64, 2, 1)]
    [InlineData(2, 16, 15, 15, 48, 2, 0)]
    public void The_resnet_shaped_convs_take_the_implicit_gemm(int n, int c, int h, int w, int oc, int stride, int pad)
    {
        int k = pad == 0 ? 1 : 3;
        var s = new Conv2dGeometry(n, c, h, w, oc, k, k, stride, stride, pad, pad, 1, 1, 1);
        Assert.Equal(Avx512F.IsSupported && Vector512.IsHardwareAccelerated, ConvImplicit.Supports(new ConvPlan(s)));
    }

    [Theory]
    [MemberData(nameof(ConvShapes))]
    public void Conv_matches_the_reference(int[] d)
    {
        var s = new Conv2dGeometry(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13]);
        Assert.True(s.OH > 0 && s.OW > 0, $"bad test geometry {s}");
        var g = new Generator(5);
        float[] x = Random(s.N * s.InputImage, g), w = Random(s.WeightSize, g), b = Random(s.OC, g), dy = Random(s.N * s.OutputImage, g);
        float[] y = new float[s.N * s.OutputImage], yRef = new float[y.Length];
        Conv.Forward(y, x, w, b, s);
        ConvReference.Forward(yRef, x, w, b, s);
        Close(yRef, y, $"forward {s}");
        Conv.Forward(y, x, w, [], s);
        ConvReference.Forward(yRef, x, w, [], s);
        Close(yRef, y, $"forward without bias {s}");

        // backward kernels accumulate: start from the same non-zero gradients
        float[] dx = Random(x.Length, g), dxRef = (float[])dx.Clone();
        Conv.BackwardInput(dx, dy, w, s);
        ConvReference.BackwardInput(dxRef, dy, w, s);
        Close(dxRef, dx, $"input gradient {s}");
        float[] dw = Random(w.Length, g), dwRef = (float[])dw.Clone();
        Conv.BackwardWeight(dw, dy, x, s);
        ConvReference.BackwardWeight(dwRef, dy, x, s);
        Close(dwRef, dw, $"weight gradient {s}");
        // overwriting (accumulate: false) ignores whatever the output held
        float[] dxNew = Enumerable.Repeat(float.NaN, x.Length).ToArray(), dxZero = new float[x.Length];
        Conv.BackwardInput(dxNew, dy, w, s, accumulate: false);
        ConvReference.BackwardInput(dxZero, dy, w, s);
        Close(dxZero, dxNew, $"input gradient, overwritten {s}");
        float[] dwNew = Enumerable.Repeat(float.NaN, w.Length).ToArray(), dwZero = new float[w.Length];
        Conv.BackwardWeight(dwNew, dy, x, s, accumulate: false);
        ConvReference.BackwardWeight(dwZero, dy, x, s);
        Close(dwZero, dwNew, $"weight gradient, overwritten {s}");

        long kept = Conv.KeptColumnsLength(s);
        if (kept > 0)
        {
            // the weight gradient from forward's kept im2col matrix is the same, bit for bit
            var columns = new float[kept];
            Conv.Forward(y, x, w, b, s, columns);
            float[] dwKept = (float[])dwRef.Clone(), dwFresh = (float[])dwRef.Clone();
            Conv.BackwardWeight(dwKept, dy, x, s, columns);
            Conv.BackwardWeight(dwFresh, dy, x, s);
            Assert.Equal(dwFresh, dwKept);
        }
        long keptWeight = Conv.KeptWeightLength(s);
        if (keptWeight > 0)
        {
            // the input gradient from forward's kept reordered weight is the same, bit for bit
            var reordered = new float[keptWeight];
            Conv.Forward(y, x, w, b, s, default, reordered);
            float[] dxKept = new float[x.Length], dxFresh = new float[x.Length];
            Conv.BackwardInput(dxKept, dy, w, s, accumulate: false, reordered);
            Conv.BackwardInput(dxFresh, dy, w, s, accumulate: false);
            Assert.Equal(dxFresh, dxKept);
        }
        float[] db = Random(s.OC, g), dbRef = (float[])db.Clone();
        Conv.BackwardBias(db, dy, s);
        ConvReference.BackwardBias(dbRef, dy, s);
        Close(dbRef, db, $"bias gradient {s}");
    }

    [Fact]
    public void Conv_is_bitwise_reproducible()
    {
        var s = new Conv2dGeometry(9, 16, 64, 64, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        var g = new Generator(9);
        float[] x = Random(s.N * s.InputImage, g), w = Random(s.WeightSize, g), dy = Random(s.N * s.OutputImage, g);
        float[] dw1 = new float[w.Length], dw2 = new float[w.Length];
        Conv.BackwardWeight(dw1, dy, x, s);
        Conv.BackwardWeight(dw2, dy, x, s);
        Assert.Equal(dw1, dw2);
    }

    public static IEnumerable<object[]> PoolShapes()
    {
        // planes, H, W, KH, KW, strideH, strideW, padH, padW
        yield return [new[] { 256, 28, 28, 3, 3, 2, 2, 1, 1 }]; // split over the cores
        yield return [new[] { 64, 14, 14, 2, 2, 2, 2, 0, 0 }];
        yield return [new[] { 37, 9, 11, 3, 2, 1, 2, 1, 1 }];  // two blocks of 16 planes (AVX-512) and 5 left over
        var g = new Generator(12);
        for (int t = 0; t < 30; t++)
        {
            int kh = 1 + (int)g.NextInt64(0, 5), kw = 1 + (int)g.NextInt64(0, 5);
            int ph = (int)g.NextInt64(0, kh / 2 + 1), pw = (int)g.NextInt64(0, kw / 2 + 1);
            int h = Math.Max(1, kh - 2 * ph) + (int)g.NextInt64(0, 10), w = Math.Max(1, kw - 2 * pw) + (int)g.NextInt64(0, 10);
            yield return [new[] { 1 + (int)g.NextInt64(0, 6), h, w, kh, kw, 1 + (int)g.NextInt64(0, 3), 1 + (int)g.NextInt64(0, 3), ph, pw }];
        }
    }

    [Theory]
    [MemberData(nameof(PoolShapes))]
    public void Max_and_average_pools_match_the_reference(int[] d)
    {
        var s = new Pool2dGeometry(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8]);
        int inSize = s.Planes * s.H * s.W, outSize = s.Planes * s.OH * s.OW;
        var g = new Generator(3);
        float[] x = Random(inSize, g), dy = Random(outSize, g);
        // small integers (ties) with a few NaNs in the max pool input
        float[] xt = x.Select((v, i) => i % 37 == 5 ? float.NaN : MathF.Round(v * 1.5f)).ToArray();
        float[] y = new float[outSize], yRef = new float[outSize];
        int[] ix = new int[outSize], ixRef = new int[outSize];
        Pool.MaxForward(y, ix, xt, s);
        PoolReference.MaxForward(yRef, ixRef, xt, s);
        Assert.Equal(yRef, y);
        Assert.Equal(ixRef, ix);
        float[] dx = Random(inSize, g), dxRef = (float[])dx.Clone();
        Pool.MaxBackward(dx, dy, ix, s.Planes, s.H * s.W, s.OH * s.OW);
        for (int p = 0; p < s.Planes; p++)
            for (int o = 0; o < s.OH * s.OW; o++) dxRef[p * s.H * s.W + ixRef[p * s.OH * s.OW + o]] += dy[p * s.OH * s.OW + o];
        Close(dxRef, dx, $"max pool backward {s}");

        foreach (bool countPad in new[] { true, false })
        {
            Pool.AvgForward(y, x, s, countPad);
            PoolReference.AvgForward(yRef, x, s, countPad);
            Close(yRef, y, $"avg pool {s} countIncludePad {countPad}");
            dx = Random(inSize, g);
            dxRef = (float[])dx.Clone();
            Pool.AvgBackward(dx, dy, s, countPad);
            PoolReference.AvgBackward(dxRef, dy, s, countPad);
            Close(dxRef, dx, $"avg pool backward {s} countIncludePad {countPad}");
        }
    }

    public static IEnumerable<object[]> AdaptiveShapes()
    {
        yield return [new[] { 512, 7, 7, 1, 1 }]; // resnet head, split over the cores
        yield return [new[] { 3, 7, 7, 3, 3 }];
        yield return [new[] { 2, 5, 5, 2, 2 }];
        yield return [new[] { 2, 3, 4, 5, 7 }]; // more outputs than inputs
        var g = new Generator(13);
        for (int t = 0; t < 20; t++)
            yield return [new[] { 1 + (int)g.NextInt64(0, 5), 1 + (int)g.NextInt64(0, 12), 1 + (int)g.NextInt64(0, 12), 1 + (int)g.NextInt64(0, 6), 1 + (int)g.NextInt64(0, 6) }];
    }

    [Theory]
    [MemberData(nameof(AdaptiveShapes))]
    public void Adaptive_pools_match_the_reference(int[] d)
    {
        (int planes, int h, int w, int oh, int ow) = (d[0], d[1], d[2], d[3], d[4]);
        var g = new Generator(4);
        float[] x = Random(planes * h * w, g), dy = Random(planes * oh * ow, g);
        float[] xt = x.Select((v, i) => i % 29 == 3 ? float.NaN : MathF.Round(v * 1.5f)).ToArray();
        float[] y = new float[dy.Length], yRef = new float[dy.Length];
        int[] ix = new int[dy.Length], ixRef = new int[dy.Length];
        Pool.AdaptiveMaxForward(y, ix, xt, planes, h, w, oh, ow);
        PoolReference.AdaptiveMaxForward(yRef, ixRef, xt, planes, h, w, oh, ow);
        Assert.Equal(yRef, y);
        Assert.Equal(ixRef, ix);

        Pool.AdaptiveAvgForward(y, x, planes, h, w, oh, ow);
        PoolReference.AdaptiveAvgForward(yRef, x, planes, h, w, oh, ow);
        Close(yRef, y, $"adaptive avg {planes}x{h}x{w} -> {oh}x{ow}");
        float[] dx = Random(x.Length, g), dxRef = (float[])dx.Clone();
        Pool.AdaptiveAvgBackward(dx, dy, planes, h, w, oh, ow);
        PoolReference.AdaptiveAvgBackward(dxRef, dy, planes, h, w, oh, ow);
        Close(dxRef, dx, $"adaptive avg backward {planes}x{h}x{w} -> {oh}x{ow}");
    }

    public static IEnumerable<object[]> NormShapes()
    {
        foreach (bool training in new[] { true, false })
        {
            yield return [64, 64, 196, training, true]; // resnet layer on MNIST, split over the cores
            yield return [64, 512, 1, training, true];  // head BatchNorm1d
            yield return [2, 3, 5, training, false];
            yield return [5, 1, 1, training, true];
            yield return [3, 7, 33, training, true];
            // maps under 16 values work along each image's run of channels (NormSmallMaps)
            yield return [64, 256, 4, training, true];  // resnet layer3 on MNIST, split over the cores
            yield return [130, 5, 3, training, true];   // sums over blocks of 64 images
            yield return [3, 300, 15, training, false]; // the widest small map
        }
    }

    [Theory]
    [MemberData(nameof(NormShapes))]
    public void Batch_norm_matches_the_reference(int n, int c, int l, bool training, bool affine)
    {
        var g = new Generator(6);
        float[] x = Random(n * c * l, g).Select(v => 3 * v + 2).ToArray(), dy = Random(x.Length, g);
        float[] gamma = affine ? Random(c, g) : [], beta = affine ? Random(c, g) : [];
        float[] rm = Random(c, g), rv = Random(c, g).Select(v => 0.5f + MathF.Abs(v)).ToArray();
        float[] rmRef = (float[])rm.Clone(), rvRef = (float[])rv.Clone();
        float[] y = new float[x.Length], yRef = new float[x.Length];
        float[] mean = new float[c], invstd = new float[c], meanRef = new float[c], invstdRef = new float[c];
        Norm.BatchNormForward(y, mean, invstd, x, gamma, beta, rm, rv, n, c, l, training, 0.1f, 1e-5f);
        NormReference.BatchNormForward(yRef, meanRef, invstdRef, x, gamma, beta, rmRef, rvRef, n, c, l, training, 0.1f, 1e-5f);
        string what = $"({n}, {c}, {l}) training {training}";
        Close(yRef, y, $"output {what}");
        Close(meanRef, mean, $"mean {what}");
        Close(invstdRef, invstd, $"invstd {what}");
        Close(rmRef, rm, $"running mean {what}");
        Close(rvRef, rv, $"running var {what}");
        // fused with ReLU: the same output, clamped at zero
        float[] yRelu = new float[x.Length], rmRelu = (float[])rm.Clone(), rvRelu = (float[])rv.Clone();
        Norm.BatchNormForward(yRelu, new float[c], new float[c], x, gamma, beta, rmRelu, rvRelu, n, c, l, training, 0.1f, 1e-5f, relu: true);
        Close(yRef.Select(v => Math.Max(v, 0f)).ToArray(), yRelu, $"output with ReLU {what}");

        float[] dx = new float[x.Length], dxRef = new float[x.Length];
        float[] dg = new float[c], db = new float[c], dgRef = new float[c], dbRef = new float[c];
        Norm.BatchNormBackward(dx, dg, db, dy, x, mean, invstd, gamma, n, c, l, training);
        NormReference.BatchNormBackward(dxRef, dgRef, dbRef, dy, x, mean, invstd, gamma, n, c, l, training);
        Close(dxRef, dx, $"input gradient {what}");
        Close(dgRef, dg, $"weight gradient {what}");
        Close(dbRef, db, $"bias gradient {what}");
        // the weight and bias gradients alone, without dx
        Array.Clear(dg);
        Norm.BatchNormBackward([], dg, [], dy, x, mean, invstd, gamma, n, c, l, training);
        Close(dgRef, dg, $"weight gradient alone {what}");

        // after a fused ReLU (its mask recomputed from x): bitwise the gradients of dy masked by the forward's output
        float[] masked = dy.Select((v, i) => yRelu[i] > 0 ? v : 0f).ToArray();
        if (x.Length >= 64) Assert.Contains(0f, masked); // the mask takes effect
        float[] dxPre = new float[x.Length], dgPre = new float[c], dbPre = new float[c];
        float[] dxFused = new float[x.Length], dgFused = new float[c], dbFused = new float[c];
        Norm.BatchNormBackward(dxPre, dgPre, dbPre, masked, x, mean, invstd, gamma, n, c, l, training);
        Norm.BatchNormBackward(dxFused, dgFused, dbFused, dy, x, mean, invstd, gamma, n, c, l, training, relu: true, beta);
        Assert.Equal(dxPre, dxFused);
        Assert.Equal(dgPre, dgFused);
        Assert.Equal(dbPre, dbFused);
        Array.Clear(dgFused);
        Norm.BatchNormBackward([], dgFused, [], dy, x, mean, invstd, gamma, n, c, l, training, relu: true, beta);
        Assert.Equal(dgPre, dgFused);
    }
}
