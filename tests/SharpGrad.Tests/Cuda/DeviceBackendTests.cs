using System.Reflection;
using SharpGrad.Kernels;
using SharpGrad.NN;
using SharpGrad.Optim;

namespace SharpGrad.Tests.Cuda;

/// <summary>
/// The device seam as a closed list: every entry point of <see cref="DeviceBackend"/> is launched by a training
/// workload here, every elementwise op of the CPU's op enums runs on the device, a failing launch names its op and
/// shapes, and long sums (split into chunks on the device) equal the CPU's.
/// </summary>
[Trait("Category", "Device")]
public sealed class DeviceBackendTests
{
    private static Device Cuda => TestDevices.Cuda;

    private static void Close(Tensor expected, Tensor actual, string what, float atol = 1e-5f) => TestDevices.AssertClose(expected, actual, what, atol);

    /// <summary>The entry points a backend implements: DeviceBackend's abstract <c>...Core</c> methods, less the synchronisation.</summary>
    private static SortedSet<string> EntryPoints() =>
        [.. typeof(DeviceBackend).GetMethods(BindingFlags.Instance | BindingFlags.NonPublic)
            .Where(m => m.IsAbstract && m.Name.EndsWith("Core", StringComparison.Ordinal) && m.Name != "SynchronizeCore")
            .Select(m => m.Name[..^"Core".Length])];

    [Fact]
    public void A_training_workload_launches_every_backend_entry_point()
    {
        // Like ggml's op-count assert: an entry point added to DeviceBackend fails this test until the workload below
        // (and so the device tests, which compare each of these ops with the CPU) exercises it.
        SortedSet<string> expected = EntryPoints();
        Assert.True(expected.Count >= 20, $"found only {expected.Count} entry points: {string.Join(", ", expected)}");
        var launched = new HashSet<string>();
        DeviceBackend.t_launched = launched;
        try
        {
            var g = new Generator(3);
            SharpGrad.NN.Module model = Nn.Sequential(
                Nn.Conv2d(2, 4, 3, padding: 1, generator: g), Nn.BatchNorm2d(4), Nn.ReLU(), Nn.MaxPool2d(2),
                Nn.Flatten(), Nn.Linear(16, 3, generator: g));
            model.To(Cuda);
            Tensor x = Tensor.Randn([4, 2, 4, 4], g).To(Cuda).RequiresGrad();     // Upload
            Tensor labels = Tensor.From(new long[] { 0, 1, 2, 1 });
            foreach (Optimizer opt in new Optimizer[] { new Sgd(model.Parameters(), 0.1, mom: 0.9), new Adam(model.Parameters(), 0.01) })
            {
                // Unary, Conv2d, BatchNorm (with its ReLU fused), pool, MatMul, Binary, ReLU, LogSoftmax, Sum
                Tensor loss = F.CrossEntropy(model.Forward(x.Exp().Sqrt()).Relu(), labels);
                loss.Backward();                                                  // Fill (the seed) and every backward kernel
                opt.Step();                                                       // SgdStep, AdamStep
                opt.ZeroGrad(setToNone: false);
            }
            _ = x.Detach().T.Contiguous().Softmax(1).Sum().Item();                         // Copy, Softmax, Download
            Tensor s = x.Reshape(4, 32).Detach().RequiresGrad();
            s.Softmax(1).Square().Sum().Backward();                               // SoftmaxBackward
            s.Max(1).Values.Sum().Backward();                                     // MaxMin and its backward
        }
        finally
        {
            DeviceBackend.t_launched = null;
        }
        Assert.True(expected.SetEquals(launched), $"not launched: {string.Join(", ", expected.Except(launched))}; unknown: {string.Join(", ", launched.Except(expected))}");
    }

    [Fact]
    public void Every_unary_and_binary_op_of_the_kernels_runs_on_the_device_as_on_the_CPU()
    {
        var unary = new Dictionary<UnaryOp, Func<Tensor, Tensor>>
        {
            [UnaryOp.Neg] = t => t.Neg(), [UnaryOp.Exp] = t => t.Exp(), [UnaryOp.Log] = t => t.Abs().Log(), [UnaryOp.Sqrt] = t => t.Abs().Sqrt(),
            [UnaryOp.Abs] = t => t.Abs(), [UnaryOp.Sigmoid] = t => t.Sigmoid(), [UnaryOp.Tanh] = t => t.Tanh(), [UnaryOp.Relu] = t => t.Relu(),
            [UnaryOp.Square] = t => t.Square(), [UnaryOp.Reciprocal] = t => t.Reciprocal(), [UnaryOp.Sign] = t => t.Sign(),
        };
        var binary = new Dictionary<BinaryOp, Func<Tensor, Tensor, Tensor>>
        {
            [BinaryOp.Add] = (a, b) => a + b, [BinaryOp.Sub] = (a, b) => a - b, [BinaryOp.Mul] = (a, b) => a * b, [BinaryOp.Div] = (a, b) => a / b,
            [BinaryOp.Max] = (a, b) => a.Maximum(b), [BinaryOp.Min] = (a, b) => a.Minimum(b), [BinaryOp.Pow] = (a, b) => a.Abs().Pow(b),
        };
        // A closed list: an op added to the kernels' enums fails here until it has a device test.
        Assert.Equal(Enum.GetValues<UnaryOp>().Order(), unary.Keys.Order());
        Assert.Equal(Enum.GetValues<BinaryOp>().Order(), binary.Keys.Order());

        var g = new Generator(5);
        Tensor x = Tensor.Randn([3, 7], g), y = Tensor.Randn([7], g);
        x[0, 0] = Tensor.Scalar(0f); // Sign of zero
        x[0, 1] = Tensor.Scalar(float.NaN);
        foreach ((UnaryOp op, Func<Tensor, Tensor> f) in unary) Close(f(x), f(x.To(Cuda)), op.ToString());
        foreach ((BinaryOp op, Func<Tensor, Tensor, Tensor> f) in binary) Close(f(x, y), f(x.To(Cuda), y.To(Cuda)), op.ToString());
        Close(x.Abs().Pow(3f), x.To(Cuda).Abs().Pow(3f), "Pow(3)");
        Close(x.Pow(2f), x.To(Cuda).Pow(2f), "Pow(2)");
    }

    [Fact]
    public void Max_min_and_argmax_along_a_dim_on_the_device_equal_the_CPU_with_their_gradients()
    {
        var g = new Generator(7);
        Tensor x = Tensor.Randn([3, 5, 4], g);
        x[0, 2, 1] = Tensor.Scalar(float.NaN); // a NaN wins, as in PyTorch
        x[1, 3, 2] = x[1, 0, 2];               // a tie: the first index
        foreach (bool max in new[] { true, false })
            foreach (int dim in new[] { 0, 1, 2, -1 })
                foreach (bool keep in new[] { false, true })
                {
                    string what = $"{(max ? "Max" : "Min")}({dim}, keepDim: {keep})";
                    Tensor cpuX = x.Detach().RequiresGrad(), devX = x.To(Cuda).Detach().RequiresGrad();
                    var (cv, ci) = max ? cpuX.Max(dim, keep) : cpuX.Min(dim, keep);
                    var (dv, di) = max ? devX.Max(dim, keep) : devX.Min(dim, keep);
                    Close(cv, dv, what);
                    Assert.Equal(Device.Cpu, di.Device); // integer tensors stay on the CPU
                    Assert.Equal(ci.Shape, di.Shape);
                    Assert.Equal(ci.ToArray<long>(), di.ToArray<long>());
                    Tensor weights = Tensor.Randn(cv.Sizes, g);
                    (cv * weights).Sum().Backward();
                    (dv * weights.To(Cuda)).Sum().Backward();
                    Close(cpuX.Grad!, devX.Grad!, $"{what}'s gradient");
                }
        Assert.Equal(x.Argmax(1).ToArray<long>(), x.To(Cuda).Argmax(1).ToArray<long>());
        Assert.Equal(x.Argmin().ToArray<long>(), x.To(Cuda).Argmin().ToArray<long>());
        Close(x.Max(), x.To(Cuda).Max(), "Max()");
    }

    [Fact]
    public void Long_sums_split_into_chunks_on_the_device_equal_the_CPU()
    {
        var g = new Generator(6);
        Tensor big = Tensor.Randn([300_001], g), tall = Tensor.Randn([50_000, 3], g), deep = Tensor.Randn([2, 70_000, 2], g);
        Close(big.Sum(), big.To(Cuda).Sum(), "sum of 300,001", atol: 1e-3f);
        Close(big.Mean(), big.To(Cuda).Mean(), "mean of 300,001");
        Close(tall.Sum(0), tall.To(Cuda).Sum(0), "column sums of 50,000 rows", atol: 1e-3f);
        Close(deep.Sum(1), deep.To(Cuda).Sum(1), "middle sums of 70,000", atol: 1e-3f);
        Tensor bigGrad = big.To(Cuda).Detach().RequiresGrad();
        bigGrad.Square().Mean().Backward();
        Close(big * (2f / big.Numel), bigGrad.Grad!, "the gradient of a long mean");
    }

    [Fact]
    public void A_failing_launch_names_the_device_the_op_and_its_shapes()
    {
        var device = Device.Cuda(7);
        DeviceBackend.Register(device, () => new FailingBackend(device));
        Tensor a = Tensor.Ones(2, 3).To(device), b = Tensor.Ones(3, 4).To(device);
        var e = Assert.ThrowsAny<InvalidOperationException>(() => a.MatMul(b));
        Assert.Contains("cuda:7", e.Message);
        Assert.Contains("MatMul", e.Message);
        Assert.Contains("[2, 3] · [3, 4]", e.Message);
        Assert.Contains("an illegal memory access was encountered", e.Message);
        Assert.Contains(DeviceBackend.LaunchBlockingVariable, e.Message);
        Assert.IsType<ArithmeticException>(e.InnerException);
        var conv = Assert.ThrowsAny<InvalidOperationException>(() => F.Conv2d(Tensor.Ones(1, 2, 5, 5).To(device), Tensor.Ones(3, 2, 3, 3).To(device), stride: 2));
        Assert.Contains("Conv2d failed (input [1, 2, 5, 5], weight [3, 2, 3, 3], output [1, 3, 2, 2], stride (2, 2)", conv.Message);
    }

    /// <summary>A backend whose memory works and whose every kernel fails, as a GPU reporting a bad launch would.</summary>
    private sealed class FailingBackend(Device device) : DeviceBackend
    {
        private sealed class HostMemory(DeviceBackend backend, long length) : DeviceMemory
        {
            public readonly float[] Data = new float[length];
            public override DeviceBackend Backend => backend;
            public override long Length => Data.Length;
            public override void Free() { }
        }

        private static ArithmeticException Fail() => new("an illegal memory access was encountered");

        public override Device Device => device;
        public override DeviceMemory Allocate(long length) => new HostMemory(this, length);
        protected override void SynchronizeCore() { }
        protected override void UploadCore(DeviceMemory dst, ReadOnlySpan<float> src) => src.CopyTo(((HostMemory)dst).Data);
        protected override void DownloadCore(DeviceMemory src, long offset, Span<float> dst) => ((HostMemory)src).Data.AsSpan((int)offset, dst.Length).CopyTo(dst);
        protected override void FillCore(DeviceMemory dst, long length, float value) => throw Fail();
        protected override void CopyCore(DeviceMemory dst, DeviceLayout dstLayout, DeviceMemory src, DeviceLayout srcLayout) => throw Fail();
        protected override void BinaryCore(BinaryOp op, DeviceMemory r, int[] shape, DeviceMemory a, int[] stridesA, int offsetA, DeviceMemory b, int[] stridesB, int offsetB) => throw Fail();
        protected override void UnaryCore(UnaryOp op, DeviceMemory r, DeviceMemory x, int offset, int n) => throw Fail();
        protected override void ReluBackwardCore(DeviceMemory d, DeviceMemory y, int offsetY, DeviceMemory g, int offsetG, int n) => throw Fail();
        protected override void MatMulCore(DeviceMemory r, DeviceMemory a, int offsetA, int rsA, int csA, DeviceMemory b, int offsetB, int rsB, int csB, int m, int n, int k) => throw Fail();
        protected override void SumCore(DeviceMemory r, DeviceMemory x, int offset, int outer, int n, int inner) => throw Fail();
        protected override void MaxMinCore(DeviceMemory values, DeviceMemory argmax, DeviceMemory x, int offset, int outer, int n, int inner, bool max) => throw Fail();
        protected override void MaxMinBackwardCore(DeviceMemory dx, DeviceMemory g, int offsetG, DeviceMemory argmax, int outer, int n, int inner) => throw Fail();
        protected override void SoftmaxCore(DeviceMemory y, DeviceMemory x, int offsetX, int rows, int n, bool log) => throw Fail();
        protected override void SoftmaxBackwardCore(DeviceMemory dx, DeviceMemory g, int offsetG, DeviceMemory y, int rows, int n, bool log) => throw Fail();
        protected override void ConvForwardCore(DeviceMemory y, DeviceMemory x, DeviceMemory w, DeviceMemory? bias, Conv2dGeometry s) => throw Fail();
        protected override void ConvInputGradCore(DeviceMemory dx, DeviceMemory dy, DeviceMemory w, Conv2dGeometry s) => throw Fail();
        protected override void ConvWeightGradCore(DeviceMemory dw, DeviceMemory dy, DeviceMemory x, Conv2dGeometry s) => throw Fail();
        protected override void BatchNormForwardCore(DeviceMemory y, DeviceMemory x, DeviceMemory? gamma, DeviceMemory? beta, DeviceMemory? runningMean,
            DeviceMemory? runningVar, DeviceMemory mean, DeviceMemory invstd, int n, int c, int l, bool training, float momentum, float eps, bool relu) => throw Fail();
        protected override void BatchNormBackwardCore(DeviceMemory dx, DeviceMemory? dgamma, DeviceMemory? dbeta, DeviceMemory dy, DeviceMemory x, DeviceMemory y,
            DeviceMemory? gamma, DeviceMemory mean, DeviceMemory invstd, int n, int c, int l, bool training, bool relu) => throw Fail();
        protected override void PoolForwardCore(DeviceMemory y, DeviceMemory argmax, DeviceMemory x, Pool2dGeometry s, bool max, bool countIncludePad) => throw Fail();
        protected override void PoolBackwardCore(DeviceMemory dx, DeviceMemory dy, DeviceMemory argmax, DeviceMemory counts, Pool2dGeometry s, bool max) => throw Fail();
        protected override void SgdStepCore(DeviceMemory w, DeviceMemory g, int offsetG, DeviceMemory? avg, float lr, float mom, float wd, int n) => throw Fail();
        protected override void AdamStepCore(DeviceMemory w, DeviceMemory g, int offsetG, DeviceMemory avg, DeviceMemory sqr, float decay, float mom, float sqrMom,
            float stepSize, float invDebias2, float eps, int n) => throw Fail();
    }
}
