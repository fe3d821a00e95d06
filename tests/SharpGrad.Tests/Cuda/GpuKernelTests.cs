using SharpGrad.Cuda;
using SharpGrad.Optim;

namespace SharpGrad.Tests.Cuda;

/// <summary>
/// The GPU kernels, run by ILGPU's CPU simulator (so they run without a GPU, in CI), against SharpGrad's CPU ops:
/// within 1e-5 absolute / 1e-4 relative, or bitwise where the arithmetic is the CPU kernel's own. On a CUDA machine
/// the same tests can run on the GPU (<see cref="Device"/> picks it when SHARPGRAD_TEST_CUDA is set).
/// </summary>
[Trait("Category", "Device")]
public sealed class GpuKernelTests : IDisposable
{
    private readonly GpuDevice _device = Environment.GetEnvironmentVariable("SHARPGRAD_TEST_CUDA") is { Length: > 0 } ? GpuDevice.Cuda() : GpuDevice.Simulator();

    public void Dispose() => _device.Dispose();

    private GpuDevice Device => _device;

    private static void Close(Tensor expected, float[] actual, string what)
    {
        float[] e = expected.Contiguous().ToArray<float>();
        Assert.Equal(e.Length, actual.Length);
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - actual[i]) <= 1e-5f + 1e-4f * Math.Abs(e[i]) || (float.IsNaN(e[i]) && float.IsNaN(actual[i])),
                $"{what}: element {i} is {actual[i]} on the device, {e[i]} on the CPU");
    }

    private DeviceArray Up(Tensor t) => Device.Upload(t.Contiguous().ToArray<float>());

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 7)]
    [InlineData(35, 1)]
    [InlineData(24, 6)]
    public void BinaryOpsMatchTheCpu(int n, int bLen)
    {
        var g = new Generator(1);
        Tensor a = Tensor.Randn([n], g), b = Tensor.Randn([bLen], g).Abs() + 0.5f;
        Tensor bFull = n == bLen ? b : b.Reshape(1, bLen).Expand(n / bLen, bLen).Reshape(n);
        var ops = new (GpuBinary Op, Func<Tensor, Tensor, Tensor> Cpu)[]
        {
            (GpuBinary.Add, (x, y) => x + y), (GpuBinary.Sub, (x, y) => x - y), (GpuBinary.Mul, (x, y) => x * y),
            (GpuBinary.Div, (x, y) => x / y), (GpuBinary.Max, (x, y) => x.Maximum(y)), (GpuBinary.Min, (x, y) => x.Minimum(y)),
        };
        using DeviceArray da = Up(a), db = Up(b);
        foreach (var (op, cpu) in ops)
        {
            using DeviceArray r = Device.Zeros(n);
            Device.Kernels.Binary(op, r, da, db);
            Close(cpu(a, bFull), r.ToArray(), $"{op} n={n} b={bLen}");
        }
    }

    [Fact]
    public void UnaryOpsAndReluBackwardMatchTheCpu()
    {
        var g = new Generator(2);
        Tensor x = Tensor.Randn([257], g), pos = x.Abs() + 0.1f;
        var ops = new (GpuUnary Op, Tensor Input, Func<Tensor, Tensor> Cpu)[]
        {
            (GpuUnary.Neg, x, t => t.Neg()), (GpuUnary.Exp, x, t => t.Exp()), (GpuUnary.Log, pos, t => t.Log()), (GpuUnary.Sqrt, pos, t => t.Sqrt()),
            (GpuUnary.Abs, x, t => t.Abs()), (GpuUnary.Sigmoid, x, t => t.Sigmoid()), (GpuUnary.Tanh, x, t => t.Tanh()),
            (GpuUnary.Relu, x, t => t.Relu()), (GpuUnary.Square, x, t => t.Square()),
        };
        foreach (var (op, input, cpu) in ops)
        {
            using DeviceArray d = Up(input), r = Device.Zeros(input.Numel);
            Device.Kernels.Unary(op, r, d);
            Close(cpu(input), r.ToArray(), op.ToString());
        }
        Tensor y = x.Relu(), grad = Tensor.Randn([257], g);
        using DeviceArray dy = Up(y), dg = Up(grad), dx = Device.Zeros(257);
        Device.Kernels.ReluBackward(dx, dy, dg);
        Close(Tensor.Where(y > 0f, grad, Tensor.Scalar(0f)), dx.ToArray(), "relu backward");
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(64, 64, 16)]
    [InlineData(70, 33, 50)]   // edge tiles in every dim
    [InlineData(3, 130, 17)]
    [InlineData(129, 2, 65)]
    public void GemmMatchesMatMulInEveryLayout(int m, int n, int k)
    {
        var g = new Generator(3);
        Tensor a = Tensor.Randn([m, k], g), b = Tensor.Randn([k, n], g);
        Tensor expected = a.MatMul(b);
        // a and b as stored, and each stored transposed (read through swapped strides).
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                using DeviceArray da = Up(ta ? a.T : a), db = Up(tb ? b.T : b), c = Device.Zeros((long)m * n);
                Device.Kernels.Gemm(c, da, ta ? 1 : k, ta ? m : 1, db, tb ? 1 : n, tb ? k : 1, m, n, k);
                Close(expected, c.ToArray(), $"gemm {m}x{n}x{k} transA={ta} transB={tb}");
            }
    }

    [Fact]
    public void RowSumsAndSoftmaxMatchTheCpu()
    {
        var g = new Generator(4);
        Tensor x = Tensor.Randn([9, 13], g) * 3f;
        using DeviceArray dx = Up(x), sums = Device.Zeros(9), y = Device.Zeros(9 * 13), ly = Device.Zeros(9 * 13);
        Device.Kernels.SumRows(sums, dx, 13);
        Device.Kernels.SoftmaxRows(y, dx, 13, log: false);
        Device.Kernels.SoftmaxRows(ly, dx, 13, log: true);
        Close(x.Sum(1), sums.ToArray(), "row sums");
        Close(x.Softmax(1), y.ToArray(), "softmax");
        Close(x.LogSoftmax(1), ly.ToArray(), "log softmax");
    }

    [Fact]
    public void SgdAndAdamStepsMatchTheCpuOptimizers()
    {
        var g = new Generator(5);
        foreach (bool adam in new[] { false, true })
        {
            Tensor w = Tensor.Randn([300], g).RequiresGrad();
            Tensor start = w.Detach().Clone();
            Optimizer opt = adam ? new Adam([w], 1e-2, wd: 0.01) : new Sgd([w], 0.1, mom: 0.9, wd: 0.01);
            using DeviceArray dw = Up(start), avg = Device.Zeros(300), sqr = Device.Zeros(300);
            for (int step = 1; step <= 3; step++)
            {
                Tensor grad = Tensor.Randn([300], g);
                w.Grad = grad;
                opt.Step();
                using DeviceArray dg = Up(grad);
                if (adam)
                {
                    // fastai's Adam: decoupled decay 1 - lr·wd, debiased step (as Optim.Adam computes its scalars).
                    float lr = 1e-2f, mom = 0.9f, sqrMom = 0.99f;
                    float debias1 = 1f - MathF.Pow(mom, step), debias2 = 1f - MathF.Pow(sqrMom, step);
                    Device.Kernels.AdamStep(dw, dg, avg, sqr, 1f - lr * 0.01f, mom, sqrMom, lr / debias1, 1f / debias2, 1e-5f);
                }
                else
                {
                    Device.Kernels.SgdStep(dw, dg, avg, 0.1f, 0.9f, 0.01f);
                }
            }
            Close(w.Detach(), dw.ToArray(), adam ? "adam" : "sgd with momentum and decay");
        }
    }

    [Fact]
    public void ThreeStepsOfAnMlpTrainAsOnTheCpu()
    {
        // A 20-16-4 MLP with cross-entropy, written with the device kernels alone (forward and backward by hand), trained
        // 3 SGD steps next to the same model trained by SharpGrad's autograd on the CPU.
        const int N = 12, D = 20, H = 16, C = 4;
        var g = new Generator(6);
        Tensor x = Tensor.Randn([N, D], g), labels = Tensor.Randint(0, C, [N], g);
        Tensor w1 = (Tensor.Randn([D, H], g) * 0.3f).RequiresGrad(), w2 = (Tensor.Randn([H, C], g) * 0.3f).RequiresGrad();
        long[] label = labels.ToArray<long>();
        var hot = new float[N * C];
        for (int i = 0; i < N; i++) hot[i * C + label[i]] = 1f;
        Tensor onehot = Tensor.From(hot, [N, C]);
        using DeviceArray dx = Up(x), dW1 = Up(w1.Detach()), dW2 = Up(w2.Detach()), dOnehot = Up(onehot);
        using DeviceArray h = Device.Zeros(N * H), a = Device.Zeros(N * H), logits = Device.Zeros(N * C), p = Device.Zeros(N * C);
        using DeviceArray dlogits = Device.Zeros(N * C), gW2 = Device.Zeros(H * C), da = Device.Zeros(N * H), dh = Device.Zeros(N * H), gW1 = Device.Zeros(D * H);
        using DeviceArray scale = Device.Upload([1f / N]);
        var sgd = new Sgd([w1, w2], 0.5);
        var k = Device.Kernels;
        for (int step = 0; step < 3; step++)
        {
            Tensor loss = SharpGrad.NN.F.CrossEntropy(x.MatMul(w1).Relu().MatMul(w2), labels);
            loss.Backward();
            sgd.Step();
            sgd.ZeroGrad();

            k.Gemm(h, dx, D, 1, dW1, H, 1, N, H, D);              // h = x·W1
            k.Unary(GpuUnary.Relu, a, h);                          // a = relu(h)
            k.Gemm(logits, a, H, 1, dW2, C, 1, N, C, H);           // logits = a·W2
            k.SoftmaxRows(p, logits, C, log: false);
            k.Binary(GpuBinary.Sub, dlogits, p, dOnehot);          // dlogits = (softmax - onehot) / N
            k.Binary(GpuBinary.Mul, dlogits, dlogits, scale);
            k.Gemm(gW2, a, 1, H, dlogits, C, 1, H, C, N);          // dW2 = aᵀ·dlogits
            k.Gemm(da, dlogits, C, 1, dW2, 1, C, N, H, C);         // da = dlogits·W2ᵀ
            k.ReluBackward(dh, a, da);
            k.Gemm(gW1, dx, 1, D, dh, H, 1, D, H, N);              // dW1 = xᵀ·dh
            k.SgdStep(dW1, gW1, null, 0.5f, 0f, 0f);
            k.SgdStep(dW2, gW2, null, 0.5f, 0f, 0f);
        }
        Close(w1.Detach(), dW1.ToArray(), "W1 after 3 steps");
        Close(w2.Detach(), dW2.ToArray(), "W2 after 3 steps");
    }

    [Fact]
    public void CudaUnavailableIsExplained()
    {
        if (GpuDevice.TryCuda(out GpuDevice? device, out string? reason))
        {
            device!.Dispose(); // a GPU machine: nothing to explain
            return;
        }
        Assert.StartsWith("No CUDA device found", reason);
        Assert.Throws<DeviceUnavailableException>(() => GpuDevice.Cuda());
    }
}

/// <summary>The implicit-GEMM convolution kernels against SharpGrad's CPU convolution and its autograd gradients.</summary>
[Trait("Category", "Device")]
public sealed class GpuConvTests : IDisposable
{
    private readonly GpuDevice _device = Environment.GetEnvironmentVariable("SHARPGRAD_TEST_CUDA") is { Length: > 0 } ? GpuDevice.Cuda() : GpuDevice.Simulator();

    public void Dispose() => _device.Dispose();

    public static TheoryData<int[]> Shapes => new(
        // N, C, H, W, OC, KH, KW, stride, pad, dilation, groups, bias
        [2, 3, 9, 9, 4, 3, 3, 1, 1, 1, 1, 1],
        [2, 3, 15, 13, 5, 7, 7, 2, 3, 1, 1, 0],   // a resnet stem, odd sizes
        [1, 4, 8, 8, 6, 3, 3, 2, 1, 1, 2, 1],     // groups, stride 2
        [3, 2, 7, 6, 3, 3, 2, 1, 2, 2, 1, 1],     // dilation, more padding than the kernel reaches
        [2, 8, 4, 4, 8, 1, 1, 1, 0, 1, 8, 0],     // depthwise pointwise
        [1, 16, 5, 5, 70, 3, 3, 1, 1, 1, 1, 0]);  // more output channels than a tile

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardAndBothGradientsMatchTheCpu(int[] d)
    {
        int n = d[0], c = d[1], h = d[2], w = d[3], oc = d[4], kh = d[5], kw = d[6], stride = d[7], pad = d[8], dil = d[9], groups = d[10];
        var g = new Generator(8);
        Tensor x = Tensor.Randn([n, c, h, w], g).RequiresGrad(), wt = Tensor.Randn([oc, c / groups, kh, kw], g).RequiresGrad();
        Tensor? b = d[11] == 1 ? Tensor.Randn([oc], g).RequiresGrad() : null;
        Tensor y = SharpGrad.NN.F.Conv2d(x, wt, b, stride, pad, dil, groups);
        Tensor dy = Tensor.Randn(y.Shape.ToArray(), g);
        y.Backward(dy);
        int oh = y.Size(2), ow = y.Size(3);
        var v = new ConvShape(n, c, h, w, oc, kh, kw, stride, stride, pad, pad, dil, dil, groups, oh, ow);

        using DeviceArray dx = _device.Upload(x.Detach().ToArray<float>()), dw = _device.Upload(wt.Detach().ToArray<float>()),
            dbias = _device.Upload(b is null ? [0f] : b.Detach().ToArray<float>()), ddy = _device.Upload(dy.ToArray<float>());
        using DeviceArray gy = _device.Zeros(y.Numel), gx = _device.Zeros(x.Numel), gw = _device.Zeros(wt.Numel);
        _device.Kernels.ConvForward(gy, dx, dw, b is null ? null : dbias, v);
        _device.Kernels.ConvInputGrad(gx, ddy, dw, v);
        _device.Kernels.ConvWeightGrad(gw, ddy, dx, v);
        Close(y.Detach(), gy.ToArray(), "forward");
        Close(x.Grad!, gx.ToArray(), "input gradient");
        Close(wt.Grad!, gw.ToArray(), "weight gradient");
    }

    private static void Close(Tensor expected, float[] actual, string what)
    {
        float[] e = expected.Contiguous().ToArray<float>();
        Assert.Equal(e.Length, actual.Length);
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - actual[i]) <= 1e-4f + 1e-4f * Math.Abs(e[i]), $"{what}: element {i} is {actual[i]} on the device, {e[i]} on the CPU");
    }
}

/// <summary>Batch norm and pooling kernels against the CPU ops and their autograd gradients.</summary>
[Trait("Category", "Device")]
public sealed class GpuNormPoolTests : IDisposable
{
    private readonly GpuDevice _device = Environment.GetEnvironmentVariable("SHARPGRAD_TEST_CUDA") is { Length: > 0 } ? GpuDevice.Cuda() : GpuDevice.Simulator();

    public void Dispose() => _device.Dispose();

    private DeviceArray Up(Tensor t) => _device.Upload(t.Detach().Contiguous().ToArray<float>());

    private static void Close(Tensor expected, float[] actual, string what)
    {
        float[] e = expected.Contiguous().ToArray<float>();
        Assert.Equal(e.Length, actual.Length);
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - actual[i]) <= 1e-4f + 1e-4f * Math.Abs(e[i]), $"{what}: element {i} is {actual[i]} on the device, {e[i]} on the CPU");
    }

    [Theory]
    [InlineData(4, 3, 25, true, true, false)]
    [InlineData(5, 6, 1, true, false, false)]   // BatchNorm1d, no affine
    [InlineData(3, 4, 300, true, true, true)]   // more elements per channel than threads, fused ReLU
    [InlineData(2, 3, 16, false, true, false)]  // evaluation: the running statistics
    public void BatchNormMatchesTheCpu(int n, int c, int l, bool training, bool affine, bool relu)
    {
        var g = new Generator(9);
        Tensor x = (Tensor.Randn([n, c, l], g) * 2f + 1f).RequiresGrad();
        Tensor? gamma = affine ? (Tensor.Rand([c], g) + 0.5f).RequiresGrad() : null, beta = affine ? Tensor.Randn([c], g).RequiresGrad() : null;
        Tensor rm = Tensor.Randn([c], g) * 0.1f, rv = Tensor.Rand([c], g) + 0.5f;
        Tensor rmDevice = rm.Clone(), rvDevice = rv.Clone();
        Tensor y = Tensor.BatchNorm(x, rm, rv, gamma, beta, training, 0.1f, 1e-5f, relu);
        Tensor dy = Tensor.Randn([n, c, l], g);
        y.Backward(dy);

        var s = new NormShape(n, c, l, training ? 1 : 0, 0.1f, 1e-5f, affine ? 1 : 0, 1, relu ? 1 : 0);
        using DeviceArray dx = Up(x), dg = Up(gamma ?? Tensor.Ones(c)), db = Up(beta ?? Tensor.Zeros(c)), drm = Up(rmDevice), drv = Up(rvDevice);
        using DeviceArray dyDev = Up(dy), yDev = _device.Zeros(x.Numel), mean = _device.Zeros(c), invstd = _device.Zeros(c);
        using DeviceArray gx = _device.Zeros(x.Numel), gg = _device.Zeros(c), gb = _device.Zeros(c);
        _device.Kernels.BatchNormForward(yDev, dx, affine ? dg : null, affine ? db : null, drm, drv, mean, invstd, s);
        _device.Kernels.BatchNormBackward(gx, affine ? gg : null, affine ? gb : null, dyDev, dx, yDev, affine ? dg : null, mean, invstd, s);
        Close(y.Detach(), yDev.ToArray(), "batch norm");
        Close(rm, drm.ToArray(), "running mean");
        Close(rv, drv.ToArray(), "running var");
        Close(x.Grad!, gx.ToArray(), "input gradient");
        if (affine)
        {
            Close(gamma!.Grad!, gg.ToArray(), "weight gradient");
            Close(beta!.Grad!, gb.ToArray(), "bias gradient");
        }
    }

    [Theory]
    [InlineData(true, 3, 2, 1, true)]    // a resnet's 3x3/2 max pool: overlapping windows
    [InlineData(true, 2, 2, 0, true)]
    [InlineData(false, 3, 2, 1, true)]   // average, counting the padding
    [InlineData(false, 3, 1, 1, false)]  // average over the inside only
    public void PoolsMatchTheCpu(bool max, int k, int stride, int pad, bool countPad)
    {
        var g = new Generator(10);
        Tensor x = Tensor.Randn([2, 3, 9, 8], g).RequiresGrad();
        Tensor y = max ? SharpGrad.NN.F.MaxPool2d(x, k, stride, pad) : SharpGrad.NN.F.AvgPool2d(x, k, stride, pad, countPad);
        Tensor dy = Tensor.Randn(y.Shape.ToArray(), g);
        y.Backward(dy);
        int oh = y.Size(2), ow = y.Size(3);
        var s = new PoolShape(6, 9, 8, k, k, stride, stride, pad, pad, oh, ow, countPad ? 1 : 0);
        // The average's divisor per output position, as the CPU counts it.
        var counts = new float[oh * ow];
        for (int r = 0; r < oh; r++)
            for (int q = 0; q < ow; q++)
            {
                int h0 = r * stride - pad, w0 = q * stride - pad;
                int h1 = Math.Min(h0 + k, 9 + pad), w1 = Math.Min(w0 + k, 8 + pad);
                counts[r * ow + q] = countPad ? (h1 - h0) * (w1 - w0) : (Math.Min(h1, 9) - Math.Max(h0, 0)) * (Math.Min(w1, 8) - Math.Max(w0, 0));
            }
        using DeviceArray dx = Up(x), yDev = _device.Zeros(y.Numel), dyDev = Up(dy), gx = _device.Zeros(x.Numel), dCounts = _device.Upload(counts);
        using var argmax = _device.Accelerator.Allocate1D<int>(y.Numel);
        _device.Kernels.PoolForward(yDev, argmax, dx, s, max);
        _device.Kernels.PoolBackward(gx, dyDev, argmax, dCounts, s, max);
        Close(y.Detach(), yDev.ToArray(), max ? "max pool" : "average pool");
        Close(x.Grad!, gx.ToArray(), "pool input gradient");
    }
}

/// <summary>A small CNN trained three steps with the device kernels alone, next to the same CNN trained by autograd on the CPU.</summary>
[Trait("Category", "Device")]
public sealed class GpuCnnTrainingTests : IDisposable
{
    private readonly GpuDevice _device = Environment.GetEnvironmentVariable("SHARPGRAD_TEST_CUDA") is { Length: > 0 } ? GpuDevice.Cuda() : GpuDevice.Simulator();

    public void Dispose() => _device.Dispose();

    private DeviceArray Up(Tensor t) => _device.Upload(t.Detach().Contiguous().ToArray<float>());

    [Fact]
    public void ConvBatchNormPoolLinearTrainAsOnTheCpu()
    {
        // conv 1->4 3x3 (no bias) -> batch norm (training) -> ReLU -> max pool 2 -> flatten -> linear 64->3, cross-entropy, SGD 0.1.
        const int N = 6, C = 4, S = 8, P = 4, F = C * P * P, K = 3;
        var g = new Generator(12);
        var conv = new SharpGrad.NN.Conv2d(1, C, 3, padding: 1, bias: false, generator: new Generator(13));
        var bn = new SharpGrad.NN.BatchNorm2d(C);
        var fc = new SharpGrad.NN.Linear(F, K, generator: new Generator(14));
        var model = SharpGrad.NN.Nn.Sequential(conv, bn, SharpGrad.NN.Nn.ReLU(), SharpGrad.NN.Nn.MaxPool2d(2), SharpGrad.NN.Nn.Flatten(), fc);
        Tensor x = Tensor.Randn([N, 1, S, S], g), labels = Tensor.Randint(0, K, [N], g);
        long[] label = labels.ToArray<long>();
        var hot = new float[N * K];
        for (int i = 0; i < N; i++) hot[i * K + label[i]] = 1f;

        var k = _device.Kernels;
        var v = new ConvShape(N, 1, S, S, C, 3, 3, 1, 1, 1, 1, 1, 1, 1, S, S);
        var norm = new NormShape(N, C, S * S, 1, 0.1f, 1e-5f, 1, 1, 1);
        var pool = new PoolShape(N * C, S, S, 2, 2, 2, 2, 0, 0, P, P, 0);
        using DeviceArray dx = Up(x), w = Up(conv.Weight), gamma = Up(bn.Weight!), beta = Up(bn.Bias!), rm = Up(bn.RunningMean!), rv = Up(bn.RunningVar!);
        using DeviceArray fw = Up(fc.Weight), fb = Up(fc.Bias!), onehot = _device.Upload(hot), ones = _device.Upload(Enumerable.Repeat(1f, N).ToArray());
        using DeviceArray scale = _device.Upload([1f / N]);
        using DeviceArray y1 = _device.Zeros(N * C * S * S), y2 = _device.Zeros(N * C * S * S), y3 = _device.Zeros(N * F), logits = _device.Zeros(N * K);
        using DeviceArray prob = _device.Zeros(N * K), dlogits = _device.Zeros(N * K), mean = _device.Zeros(C), invstd = _device.Zeros(C);
        using DeviceArray dfw = _device.Zeros(K * F), dfb = _device.Zeros(K), dy3 = _device.Zeros(N * F), dy2 = _device.Zeros(N * C * S * S);
        using DeviceArray dy1 = _device.Zeros(N * C * S * S), dgamma = _device.Zeros(C), dbeta = _device.Zeros(C), dw = _device.Zeros(C * 9), counts = _device.Zeros(1);
        using var argmax = _device.Accelerator.Allocate1D<int>(N * F);
        var sgd = new Sgd(model.Parameters(), 0.1);
        model.Train();
        for (int step = 0; step < 3; step++)
        {
            Tensor loss = SharpGrad.NN.F.CrossEntropy(model.Forward(x), labels);
            loss.Backward();
            sgd.Step();
            sgd.ZeroGrad();

            k.ConvForward(y1, dx, w, null, v);
            k.BatchNormForward(y2, y1, gamma, beta, rm, rv, mean, invstd, norm);     // with the ReLU fused
            k.PoolForward(y3, argmax, y2, pool, max: true);                           // (N, 64) as flattened
            k.Gemm(logits, y3, F, 1, fw, 1, F, N, K, F);                               // y3 · fcᵀ
            k.Binary(GpuBinary.Add, logits, logits, fb);
            k.SoftmaxRows(prob, logits, K, log: false);
            k.Binary(GpuBinary.Sub, dlogits, prob, onehot);
            k.Binary(GpuBinary.Mul, dlogits, dlogits, scale);
            k.Gemm(dfw, dlogits, 1, K, y3, F, 1, K, F, N);                             // dlogitsᵀ · y3
            k.Gemm(dfb, ones, N, 1, dlogits, K, 1, 1, K, N);                           // column sums
            k.Gemm(dy3, dlogits, K, 1, fw, F, 1, N, F, K);                             // dlogits · fc
            k.PoolBackward(dy2, dy3, argmax, counts, pool, max: true);
            k.BatchNormBackward(dy1, dgamma, dbeta, dy2, y1, y2, gamma, mean, invstd, norm);
            k.ConvWeightGrad(dw, dy1, dx, v);
            foreach (var (p, grad) in new[] { (w, dw), (gamma, dgamma), (beta, dbeta), (fw, dfw), (fb, dfb) })
                k.SgdStep(p, grad, null, 0.1f, 0f, 0f);
        }
        foreach (var (name, cpu, device) in new[] { ("conv", conv.Weight, w), ("bn weight", bn.Weight!, gamma), ("bn bias", bn.Bias!, beta),
                     ("running mean", bn.RunningMean!, rm), ("running var", bn.RunningVar!, rv), ("fc weight", fc.Weight, fw), ("fc bias", fc.Bias!, fb) })
        {
            float[] e = cpu.Detach().Contiguous().ToArray<float>(), a = device.ToArray();
            for (int i = 0; i < e.Length; i++)
                Assert.True(Math.Abs(e[i] - a[i]) <= 1e-4f + 1e-3f * Math.Abs(e[i]), $"{name}[{i}] is {a[i]} on the device, {e[i]} on the CPU after 3 steps");
        }
    }
}
