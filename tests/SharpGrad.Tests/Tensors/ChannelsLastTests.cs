using SharpGrad.Kernels;
using SharpGrad.NN;
using SharpGrad.Tests.Kernels;
using SharpGrad.Vision;

namespace SharpGrad.Tests.Tensors;

/// <summary>
/// Inference keeps activations channels-last: a conv with no graph to record writes its tiles as (N, H, W, C), batch
/// norm, max pooling, ReLU and sums keep that layout, and every other op reads it through Contiguous. Each layout-aware
/// path against the plain one: the kernels against the reference conv, the ops bitwise against their (N, C, H, W) twins.
/// With AVX2 (and in the suite's AVX-512-off rerun) the same paths run on the 6 × 16 kernel; in the AVX2-off rerun convs return (N, C, H, W), and the same checks still hold.
/// </summary>
[Trait("Category", "Kernels")]
public class ChannelsLastTests
{
    public static IEnumerable<object[]> ChannelsLastShapes() =>
    [
        // N, C, H, W, OC, KH, KW, strideH, strideW, padH, padW, dilH, dilW
        [new[] { 2, 16, 56, 56, 32, 3, 3, 1, 1, 1, 1, 1, 1 }],  // four tiles of 14 a row
        [new[] { 2, 32, 30, 30, 40, 3, 3, 1, 1, 1, 1, 1, 1 }],  // tiles of 10, a masked 8-column panel
        [new[] { 3, 16, 29, 15, 64, 3, 3, 2, 2, 1, 1, 1, 1 }],  // stride 2
        [new[] { 2, 24, 20, 20, 32, 5, 5, 1, 1, 2, 2, 1, 1 }],  // 5x5: runs of 5·24 floats
        [new[] { 2, 16, 16, 16, 16, 3, 3, 1, 1, 1, 1, 2, 2 }],  // dilation 2: a run per tap
        [new[] { 2, 16, 16, 16, 16, 3, 3, 1, 1, 1, 1, 2, 1 }],  // dilated rows only: runs of a kernel row
        [new[] { 2, 16, 15, 15, 48, 1, 1, 2, 2, 0, 0, 1, 1 }],  // a downsample: 1x1 stride 2
        [new[] { 2, 3, 40, 36, 24, 7, 7, 2, 2, 3, 3, 1, 1 }],   // a stem: 3 channels, kernel rows of 21 floats
        // rows of under 7 pixels: the explicit rows against the weight packed once, tiles written channels-last
        [new[] { 5, 32, 4, 4, 48, 3, 3, 1, 1, 1, 1, 1, 1 }],    // 4x4 maps: 80 pixels, a last tile of 10 rows
        [new[] { 3, 32, 2, 2, 40, 3, 3, 2, 2, 1, 1, 1, 1 }],    // layer4's first conv on 2x2 maps: 4 of 9 taps live
        [new[] { 4, 64, 1, 1, 64, 3, 3, 1, 1, 1, 1, 1, 1 }],    // 1x1 maps: only the centre tap live
        [new[] { 2, 16, 6, 5, 20, 3, 3, 1, 1, 1, 1, 2, 1 }],    // dilated rows on a narrow map
    ];

    [Theory]
    [MemberData(nameof(ChannelsLastShapes))]
    public void The_channels_last_conv_matches_the_reference_from_either_layout(int[] d)
    {
        var s = new Conv2dGeometry(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], 1);
        if (!Conv.SupportsChannelsLast(s)) return; // the AVX2-off rerun: no channels-last kernels (checked below)
        ChannelsLastConvCheck.MatchesReference(s, 3, (y, x, inputLast, w, b) => Conv.ForwardChannelsLast(y, x, inputLast, w, b, s), withAndWithoutBias: false);
    }

    [Fact]
    public void The_path_serves_every_resnet18_conv_at_224_and_28_including_the_stem()
    {
        var layer4At28 = new Conv2dGeometry(64, 512, 1, 1, 512, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        var layer3At28 = new Conv2dGeometry(64, 128, 4, 4, 256, 3, 3, 2, 2, 1, 1, 1, 1, 1);
        bool strided = StridedKernel.Available; // AVX-512 or AVX2: either strided micro-kernel serves them all
        var stem = new Conv2dGeometry(64, 3, 224, 224, 64, 7, 7, 2, 2, 3, 3, 1, 1, 1);
        var layer4 = new Conv2dGeometry(64, 512, 7, 7, 512, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        var downsample = new Conv2dGeometry(64, 64, 56, 56, 128, 1, 1, 2, 2, 0, 0, 1, 1, 1);
        Assert.Equal(strided, Conv.SupportsChannelsLast(stem));
        Assert.Equal(strided, Conv.SupportsChannelsLast(layer4));
        Assert.Equal(strided, Conv.SupportsChannelsLast(downsample));
        Assert.Equal(strided, Conv.SupportsChannelsLast(layer4At28));
        Assert.Equal(strided, Conv.SupportsChannelsLast(layer3At28));
        // a 2-channel conv's runs (2·3 floats) are too short for the kernel, and a pointwise conv reads its input in place
        Assert.False(Conv.SupportsChannelsLast(new Conv2dGeometry(2, 2, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1)));
        Assert.False(Conv.SupportsChannelsLast(new Conv2dGeometry(2, 64, 32, 32, 16, 1, 1, 1, 1, 0, 0, 1, 1, 1)));
    }

    [Fact]
    public void A_conv_without_a_graph_returns_channels_last_values_and_one_with_a_graph_does_not()
    {
        var g = new Generator(4);
        Tensor x = Tensor.Randn([2, 16, 20, 20], g), w = Tensor.Randn([24, 16, 3, 3], g), b = Tensor.Randn([24], g);
        Tensor inference;
        using (Tensor.NoGrad()) inference = F.Conv2d(x, w, b, padding: 1);
        Assert.Equal(Conv.SupportsChannelsLast(new Conv2dGeometry(2, 16, 20, 20, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1)), inference.IsChannelsLast);
        Assert.Equal([2, 24, 20, 20], inference.Shape.ToArray());
        Tensor wg = w.Clone().RequiresGrad(), training = F.Conv2d(x, wg, b, padding: 1);
        Assert.True(training.IsContiguous);
        TensorAssert.Close(training.Detach(), inference, 1e-4f, 1e-4f);
        // Contiguous gives (N, C, H, W) memory with the same values; indexing reads either
        Tensor dense = inference.Contiguous();
        Assert.True(dense.IsContiguous);
        Assert.Equal(inference.ToArray<float>(), dense.ToArray<float>());
        Assert.Equal(inference[1, 5, 7, 3].Item(), dense[1, 5, 7, 3].Item());
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Eval_batch_norm_on_channels_last_equals_the_images_kernel_bitwise(bool relu, bool residualLast)
    {
        var g = new Generator(5);
        // 40x40 maps: the (N, C, H, W) kernel's large-map rows, whose rounding the channels-last rows repeat
        Tensor x = Tensor.Randn([2, 20, 40, 40], g), xl = x.ChannelsLast();
        Tensor mean = Tensor.Randn([20], g), var = Tensor.Rand([20], g) + 0.5f, gamma = Tensor.Randn([20], g), beta = Tensor.Randn([20], g);
        Tensor? residual = relu ? Tensor.Randn([2, 20, 40, 40], g) : null;
        Tensor? residualArg = residualLast ? residual!.ChannelsLast() : residual;
        Tensor expected = Tensor.BatchNorm(x, mean, var, gamma, beta, training: false, 0.1f, 1e-5f, relu, residual);
        Tensor actual;
        using (Tensor.NoGrad()) actual = Tensor.BatchNorm(xl, mean, var, gamma, beta, training: false, 0.1f, 1e-5f, relu, residualArg);
        Assert.True(actual.IsChannelsLast);
        Assert.Equal(expected.ToArray<float>(), actual.ToArray<float>());
        // without affine parameters too
        Tensor plain = Tensor.BatchNorm(x, mean, var, null, null, training: false, 0.1f, 1e-5f);
        using (Tensor.NoGrad()) Assert.Equal(plain.ToArray<float>(), Tensor.BatchNorm(xl, mean, var, null, null, training: false, 0.1f, 1e-5f).ToArray<float>());
    }

    [Fact]
    public void Max_pool_relu_and_sums_keep_channels_last_and_give_the_same_floats()
    {
        var g = new Generator(6);
        Tensor x = Tensor.Randn([2, 19, 11, 13], g), y = Tensor.Randn([2, 19, 11, 13], g);
        float[] values = x.ToArray<float>();
        values[7] = float.NaN; // a NaN wins its windows, as in the (N, C, H, W) kernel
        x = Tensor.From(values, [2, 19, 11, 13]);
        Tensor xl = x.ChannelsLast(), yl = y.ChannelsLast();
        using (Tensor.NoGrad())
        {
            Tensor pooled = F.MaxPool2d(xl, 3, 2, 1);
            Assert.True(pooled.IsChannelsLast);
            Assert.Equal(F.MaxPool2d(x, 3, 2, 1).ToArray<float>(), pooled.ToArray<float>());
            Tensor relu = xl.Relu(), sum = xl + yl, product = xl * yl;
            Assert.True(relu.IsChannelsLast && sum.IsChannelsLast && product.IsChannelsLast);
            Assert.Equal(x.Relu().ToArray<float>(), relu.ToArray<float>());
            Assert.Equal((x + y).ToArray<float>(), sum.ToArray<float>());
            Assert.Equal((x * y).ToArray<float>(), product.ToArray<float>());
            // mixed layouts and broadcasts take the general path, in the usual layout
            Tensor mixed = xl + y, scaled = xl * Tensor.Scalar(2f);
            Assert.Equal((x + y).ToArray<float>(), mixed.ToArray<float>());
            Assert.Equal((x * 2f).ToArray<float>(), scaled.ToArray<float>());
        }
        // with a graph to record, the ops return (N, C, H, W) and their gradients flow
        Tensor leaf = xl.Detach().RequiresGrad();
        Tensor r = leaf.Relu();
        Assert.True(r.IsContiguous);
        r.Sum().Backward();
        Assert.Equal(x.Gt(0f).Float().ToArray<float>(), leaf.Grad!.ToArray<float>());
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Conv_and_eval_batch_norm_fused_give_the_floats_of_the_ops_one_by_one(bool relu, bool withResidual)
    {
        var g = new Generator(8);
        Tensor x = Tensor.Randn([2, 16, 20, 20], g), w = Tensor.Randn([24, 16, 3, 3], g), b = Tensor.Randn([24], g);
        Tensor mean = Tensor.Randn([24], g), var = Tensor.Rand([24], g) + 0.5f, gamma = Tensor.Randn([24], g), beta = Tensor.Randn([24], g);
        Tensor? residual = withResidual ? Tensor.Randn([2, 24, 20, 20], g) : null;
        using (Tensor.NoGrad())
        {
            bool fusedRan = Tensor.TryConvBatchNormInference(x, w, b, (1, 1), (1, 1), (1, 1), mean, var, gamma, beta, 1e-5f, relu, residual, out Tensor? fused);
            Assert.Equal(Conv.SupportsChannelsLast(new Conv2dGeometry(2, 16, 20, 20, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1)), fusedRan);
            if (!fusedRan) return;
            Tensor separate = Tensor.BatchNorm(F.Conv2d(x, w, b, padding: 1), mean, var, gamma, beta, training: false, 0.1f, 1e-5f, relu, residual);
            Assert.True(fused!.IsChannelsLast);
            Assert.Equal(separate.ToArray<float>(), fused.ToArray<float>());
        }
        // with a graph to record there is no fusion: the caller runs the ops and autograd sees them
        Assert.False(Tensor.TryConvBatchNormInference(x, w.Detach().RequiresGrad(), b, (1, 1), (1, 1), (1, 1), mean, var, gamma, beta, 1e-5f, relu, residual, out _));
    }

    [Fact]
    public void Sequential_fuses_conv_batch_norm_relu_in_eval_with_the_same_floats()
    {
        var conv = new Conv2d(16, 32, 3, padding: 1, generator: new Generator(9));
        var norm = new BatchNorm2d(32);
        var g = new Generator(10);
        norm.RunningMean!.CopyFrom(Tensor.Randn([32], g));
        norm.RunningVar!.CopyFrom(Tensor.Rand([32], g) + 0.5f);
        var block = new Sequential(conv, norm, new ReLU(), new Conv2d(32, 32, 3, padding: 1, generator: new Generator(11)), new BatchNorm2d(32));
        block.Eval();
        Tensor x = Tensor.Randn([2, 16, 24, 24], g);
        using (Tensor.NoGrad())
        {
            Tensor oneByOne = x;
            foreach (Module layer in block.Layers) oneByOne = layer.Forward(oneByOne);
            Assert.Equal(oneByOne.ToArray<float>(), block.Forward(x).ToArray<float>());
        }
        // in training mode (batch statistics) the layers run one by one, as before
        block.Train();
        Tensor trained = block.Forward(x);
        Assert.True(trained.IsContiguous);
    }

    [Fact]
    public void Resnet18_in_inference_gives_the_outputs_of_the_graph_building_forward()
    {
        Sequential model = CnnLearner.CreateModel(Arch.Resnet18, 10, generator: new Generator(1));
        model.Eval();
        var g = new Generator(7);
        foreach (var (name, t) in model.NamedBuffers())
        {
            if (name.EndsWith("running_mean")) t.CopyFrom(Tensor.Randn([t.Size(0)], g) * 0.2f);
            if (name.EndsWith("running_var")) t.CopyFrom(Tensor.Rand([t.Size(0)], g) + 0.5f);
        }
        Tensor x = Tensor.Randn([3, 3, 64, 64], g);
        Tensor expected = model.Forward(x); // the parameters require grad: the (N, C, H, W) path
        Tensor actual;
        using (Tensor.NoGrad()) actual = model.Forward(x);
        Assert.Equal([3, 10], actual.Shape.ToArray());
        TensorAssert.Close(expected.Detach(), actual, 1e-4f, 1e-4f);
    }

    internal static float[] ToChannelsLast(float[] x, int n, int c, int hw)
    {
        float[] r = new float[x.Length];
        for (int i = 0; i < n; i++)
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < hw; p++) r[((long)i * hw + p) * c + ch] = x[((long)i * c + ch) * hw + p];
        return r;
    }

    internal static float[] FromChannelsLast(float[] y, int n, int c, int hw)
    {
        float[] r = new float[y.Length];
        for (int i = 0; i < n; i++)
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < hw; p++) r[((long)i * c + ch) * hw + p] = y[((long)i * hw + p) * c + ch];
        return r;
    }
}
