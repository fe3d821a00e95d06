using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace SharpGrad.Cuda;

/// <summary>Elementwise binary ops on the device (the CPU's <c>BinaryOp</c> set used by training).</summary>
internal enum GpuBinary { Add, Sub, Mul, Div, Max, Min }

/// <summary>Elementwise unary ops on the device.</summary>
internal enum GpuUnary { Neg, Exp, Log, Sqrt, Abs, Sigmoid, Tanh, Relu, Square, Reciprocal, Sign }

/// <summary>
/// SharpGrad's kernels compiled for one accelerator: elementwise ops, row reductions and softmax, a tiled matrix
/// product, and the SGD and Adam updates. Each is a static method ILGPU compiles to PTX (or runs on CPU threads in the
/// simulator); they mirror the CPU kernels' arithmetic order where the tests compare them bitwise, and stay within
/// 1e-5 absolute / 1e-4 relative elsewhere. Launches are asynchronous; reading results back waits.
/// </summary>
internal sealed class GpuKernels
{
    private readonly Accelerator _accelerator;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> _binary;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int> _unary;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> _reluBackward;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int> _sumRows;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> _softmaxRows;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape> _gemm;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float> _sgd;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamScalars> _adam;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, NormShape> _normForward;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, NormShape> _normBackward;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, PoolShape, int> _poolForward;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, PoolShape, int> _poolBackward;

    public GpuKernels(Accelerator accelerator)
    {
        _accelerator = accelerator;
        _binary = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>(BinaryKernel);
        _unary = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(UnaryKernel);
        _reluBackward = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ReluBackwardKernel);
        _sumRows = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(SumRowsKernel);
        _softmaxRows = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(SoftmaxRowsKernel);
        _gemm = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmShape>(GpuGemm.Kernel);
        _sgd = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float>(SgdKernel);
        _adam = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamScalars>(AdamKernel);
        _normForward = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, NormShape>(GpuNormPool.Forward);
        _normBackward = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, NormShape>(GpuNormPool.Backward);
        _poolForward = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, PoolShape, int>(GpuNormPool.PoolForward);
        _poolBackward = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, PoolShape, int>(GpuNormPool.PoolBackward);
    }

    // ---- launches ----

    /// <summary>r = op(a, b), where a and b repeat to r's length (same length, one element, or a trailing row repeated).</summary>
    public void Binary(GpuBinary op, DeviceArray r, DeviceArray a, DeviceArray b)
    {
        if (r.Length % a.Length != 0 || r.Length % b.Length != 0)
            throw new ArgumentException($"GPU {op}: operands of {a.Length} and {b.Length} elements do not repeat to {r.Length}.");
        _binary((int)r.Length, r.View, a.View, b.View, (int)a.Length, (int)b.Length, (int)op);
    }

    /// <summary>r = op(x).</summary>
    public void Unary(GpuUnary op, DeviceArray r, DeviceArray x) => _unary((int)r.Length, r.View, x.View, (int)op);

    /// <summary>r = op(x) over views of equal length.</summary>
    public void Unary(GpuUnary op, ArrayView<float> r, ArrayView<float> x) => _unary((int)r.Length, r, x, (int)op);

    /// <summary>dx = g where y &gt; 0, else 0 (ReLU's backward from its output).</summary>
    public void ReluBackward(DeviceArray dx, DeviceArray y, DeviceArray g) => _reluBackward((int)dx.Length, dx.View, y.View, g.View);

    /// <summary>The same over views of equal length.</summary>
    public void ReluBackward(ArrayView<float> dx, ArrayView<float> y, ArrayView<float> g) => _reluBackward((int)dx.Length, dx, y, g);

    /// <summary>sums[row] = Σ x[row, 0..n).</summary>
    public void SumRows(DeviceArray sums, DeviceArray x, int n) => _sumRows((int)sums.Length, sums.View, x.View, n);

    /// <summary>y = softmax (or log-softmax) of each row of x (rows of <paramref name="n"/>).</summary>
    public void SoftmaxRows(DeviceArray y, DeviceArray x, int n, bool log) => _softmaxRows((int)(x.Length / n), y.View, x.View, n, log ? 1 : 0);

    /// <summary>The same for <paramref name="rows"/> rows of views.</summary>
    public void SoftmaxRows(ArrayView<float> y, ArrayView<float> x, int rows, int n, bool log) => _softmaxRows(rows, y, x, n, log ? 1 : 0);

    /// <summary>c (m×n, row-major) = a (m×k) · b (k×n), each read through its row and column strides (so transposes are free).</summary>
    public void Gemm(DeviceArray c, DeviceArray a, int rsA, int csA, DeviceArray b, int rsB, int csB, int m, int n, int k) =>
        Gemm(c.View, a.View, rsA, csA, b.View, rsB, csB, m, n, k);

    /// <summary>The same over views (a tensor's memory from its offset).</summary>
    public void Gemm(ArrayView<float> c, ArrayView<float> a, int rsA, int csA, ArrayView<float> b, int rsB, int csB, int m, int n, int k)
    {
        var shape = new GemmShape(m, n, k, rsA, csA, rsB, csB);
        _gemm(GpuGemm.Config(m, n), c, a, b, c, shape);
    }

    /// <summary>y (N, OC, OH, OW) = conv2d(x (N, C, H, W), w (OC, C/groups, KH, KW)) + bias, as implicit GEMMs (one per group).</summary>
    public void ConvForward(DeviceArray y, DeviceArray x, DeviceArray w, DeviceArray? bias, ConvShape v) =>
        ConvForward(y.View, x.View, w.View, bias?.View, v);

    /// <summary>The same over views (each from its tensor's first element).</summary>
    public void ConvForward(ArrayView<float> y, ArrayView<float> x, ArrayView<float> w, ArrayView<float>? bias, ConvShape v)
    {
        for (int g = 0; g < v.Groups; g++)
        {
            var shape = new GemmShape(v.OCg, v.N * v.OH * v.OW, v.Cg * v.KH * v.KW, 0, 0, 0, 0, GemmMode.ConvForward, v, g, bias is null ? 0 : 1);
            _gemm(GpuGemm.Config(shape.M, shape.N), y, w, x, bias ?? y, shape);
        }
    }

    /// <summary>dx (N, C, H, W) = the input gradient of the convolution for dy (N, OC, OH, OW), overwritten; gathered, so no atomics.</summary>
    public void ConvInputGrad(DeviceArray dx, DeviceArray dy, DeviceArray w, ConvShape v) => ConvInputGrad(dx.View, dy.View, w.View, v);

    /// <summary>The same over views.</summary>
    public void ConvInputGrad(ArrayView<float> dx, ArrayView<float> dy, ArrayView<float> w, ConvShape v)
    {
        for (int g = 0; g < v.Groups; g++)
        {
            var shape = new GemmShape(v.Cg, v.N * v.H * v.W, v.OCg * v.KH * v.KW, 0, 0, 0, 0, GemmMode.ConvInputGrad, v, g);
            _gemm(GpuGemm.Config(shape.M, shape.N), dx, w, dy, dx, shape);
        }
    }

    /// <summary>dw (OC, C/groups, KH, KW) = the weight gradient for dy and the input x, overwritten.</summary>
    public void ConvWeightGrad(DeviceArray dw, DeviceArray dy, DeviceArray x, ConvShape v) => ConvWeightGrad(dw.View, dy.View, x.View, v);

    /// <summary>The same over views.</summary>
    public void ConvWeightGrad(ArrayView<float> dw, ArrayView<float> dy, ArrayView<float> x, ConvShape v)
    {
        for (int g = 0; g < v.Groups; g++)
        {
            var shape = new GemmShape(v.OCg, v.Cg * v.KH * v.KW, v.N * v.OH * v.OW, 0, 0, 0, 0, GemmMode.ConvWeightGrad, v, g);
            _gemm(GpuGemm.Config(shape.M, shape.N), dw, dy, x, dw, shape);
        }
    }

    /// <summary>fastai's SGD: w ·= 1 - lr·wd; with momentum avg = mom·avg + g and w -= lr·avg, else w -= lr·g.</summary>
    public void SgdStep(DeviceArray w, DeviceArray g, DeviceArray? avg, float lr, float mom, float wd) =>
        _sgd((int)w.Length, w.View, g.View, avg?.View ?? w.View, lr, mom, wd);

    /// <summary>The same over views of equal length (avg unused without momentum).</summary>
    public void SgdStep(ArrayView<float> w, ArrayView<float> g, ArrayView<float> avg, float lr, float mom, float wd) =>
        _sgd((int)w.Length, w, g, avg, lr, mom, wd);

    /// <summary>The same over views of equal length.</summary>
    public void AdamStep(ArrayView<float> w, ArrayView<float> g, ArrayView<float> avg, ArrayView<float> sqr, AdamScalars s) =>
        _adam((int)w.Length, w, g, avg, sqr, s);

    /// <summary>fastai's Adam update (see the CPU's AdamKernel): the same operations in the same order.</summary>
    public void AdamStep(DeviceArray w, DeviceArray g, DeviceArray avg, DeviceArray sqr, float decay, float mom, float sqrMom, float stepSize, float invDebias2, float eps) =>
        _adam((int)w.Length, w.View, g.View, avg.View, sqr.View, new AdamScalars(decay, mom, sqrMom, stepSize, invDebias2, eps));

    /// <summary>
    /// Batch norm of x (N, C, L) per channel (see <see cref="GpuNormPool.Forward"/>); mean and invstd (C) receive what the
    /// backward pass reads. gamma/beta and the running statistics may be null (no affine; no running statistics).
    /// </summary>
    public void BatchNormForward(DeviceArray y, DeviceArray x, DeviceArray? gamma, DeviceArray? beta, DeviceArray? runningMean, DeviceArray? runningVar,
        DeviceArray mean, DeviceArray invstd, NormShape s) =>
        _normForward(new KernelConfig(s.C, GpuNormPool.Threads), y.View, x.View, (gamma ?? x).View, (beta ?? x).View, (runningMean ?? mean).View,
            (runningVar ?? invstd).View, mean.View, invstd.View, s);

    /// <summary>Batch norm's gradients (dgamma and dbeta are written only with an affine transform).</summary>
    public void BatchNormBackward(DeviceArray dx, DeviceArray? dgamma, DeviceArray? dbeta, DeviceArray dy, DeviceArray x, DeviceArray y, DeviceArray? gamma,
        DeviceArray mean, DeviceArray invstd, NormShape s) =>
        _normBackward(new KernelConfig(s.C, GpuNormPool.Threads), dx.View, (dgamma ?? mean).View, (dbeta ?? mean).View, dy.View, x.View, y.View,
            (gamma ?? mean).View, mean.View, invstd.View, s);

    /// <summary>Batch norm's forward over views (gamma/beta and the running statistics null when absent).</summary>
    public void BatchNormForward(ArrayView<float> y, ArrayView<float> x, ArrayView<float>? gamma, ArrayView<float>? beta, ArrayView<float>? runningMean,
        ArrayView<float>? runningVar, ArrayView<float> mean, ArrayView<float> invstd, NormShape s) =>
        _normForward(new KernelConfig(s.C, GpuNormPool.Threads), y, x, gamma ?? x, beta ?? x, runningMean ?? mean, runningVar ?? invstd, mean, invstd, s);

    /// <summary>Batch norm's gradients over views.</summary>
    public void BatchNormBackward(ArrayView<float> dx, ArrayView<float>? dgamma, ArrayView<float>? dbeta, ArrayView<float> dy, ArrayView<float> x,
        ArrayView<float> y, ArrayView<float>? gamma, ArrayView<float> mean, ArrayView<float> invstd, NormShape s) =>
        _normBackward(new KernelConfig(s.C, GpuNormPool.Threads), dx, dgamma ?? mean, dbeta ?? mean, dy, x, y, gamma ?? mean, mean, invstd, s);

    /// <summary>Max (argmax kept in <paramref name="argmax"/>) or average pool of x (planes, H, W).</summary>
    public void PoolForward(DeviceArray y, MemoryBuffer1D<int, Stride1D.Dense> argmax, DeviceArray x, PoolShape s, bool max) =>
        _poolForward(s.Planes * s.OH * s.OW, y.View, argmax.View, x.View, s, max ? 1 : 0);

    /// <summary>The pool's input gradient (overwritten); <paramref name="counts"/>: each output position's divisor, for the average.</summary>
    public void PoolBackward(DeviceArray dx, DeviceArray dy, MemoryBuffer1D<int, Stride1D.Dense> argmax, DeviceArray counts, PoolShape s, bool max) =>
        _poolBackward(s.Planes * s.H * s.W, dx.View, dy.View, argmax.View, counts.View, s, max ? 1 : 0);

    /// <summary>The pool over views; the argmax lives in float memory reinterpreted as int32.</summary>
    public void PoolForward(ArrayView<float> y, ArrayView<int> argmax, ArrayView<float> x, PoolShape s, bool max) =>
        _poolForward(s.Planes * s.OH * s.OW, y, argmax, x, s, max ? 1 : 0);

    /// <summary>The pool's input gradient over views.</summary>
    public void PoolBackward(ArrayView<float> dx, ArrayView<float> dy, ArrayView<int> argmax, ArrayView<float> counts, PoolShape s, bool max) =>
        _poolBackward(s.Planes * s.H * s.W, dx, dy, argmax, counts, s, max ? 1 : 0);

    // ---- kernels ----

    private static float Apply(int op, float x, float y) => op switch
    {
        0 => x + y,
        1 => x - y,
        2 => x * y,
        3 => x / y,
        4 => float.IsNaN(x) ? x : float.IsNaN(y) ? y : x >= y ? x : y, // NaN propagates, as torch.maximum
        _ => float.IsNaN(x) ? x : float.IsNaN(y) ? y : x <= y ? x : y,
    };

    private static void BinaryKernel(Index1D i, ArrayView<float> r, ArrayView<float> a, ArrayView<float> b, int aLen, int bLen, int op) =>
        r[i] = Apply(op, a[i % aLen], b[i % bLen]);

    private static void UnaryKernel(Index1D i, ArrayView<float> r, ArrayView<float> x, int op)
    {
        float v = x[i];
        r[i] = op switch
        {
            0 => -v,
            1 => XMath.Exp(v),
            2 => XMath.Log(v),
            3 => XMath.Sqrt(v),
            4 => XMath.Abs(v),
            5 => 1f / (1f + XMath.Exp(-v)),
            6 => XMath.Tanh(v),
            7 => v > 0f || float.IsNaN(v) ? v : 0f, // NaN passes, as torch.relu
            8 => v * v,
            9 => 1f / v,
            _ => v > 0f ? 1f : v < 0f ? -1f : v == 0f ? 0f : float.NaN,
        };
    }

    private static void ReluBackwardKernel(Index1D i, ArrayView<float> dx, ArrayView<float> y, ArrayView<float> g) => dx[i] = y[i] > 0f ? g[i] : 0f;

    // One thread per row, summed in order: deterministic, and the reduction the CPU's row loop does.
    private static void SumRowsKernel(Index1D row, ArrayView<float> sums, ArrayView<float> x, int n)
    {
        float s = 0f;
        long start = (long)row.X * n;
        for (int j = 0; j < n; j++) s += x[start + j];
        sums[row.X] = s;
    }

    private static void SoftmaxRowsKernel(Index1D row, ArrayView<float> y, ArrayView<float> x, int n, int log)
    {
        long start = (long)row.X * n;
        float max = float.NegativeInfinity;
        for (int j = 0; j < n; j++) max = XMath.Max(max, x[start + j]);
        float sum = 0f;
        for (int j = 0; j < n; j++) sum += XMath.Exp(x[start + j] - max);
        if (log != 0)
        {
            float lse = XMath.Log(sum);
            for (int j = 0; j < n; j++) y[start + j] = x[start + j] - max - lse;
        }
        else
        {
            float inv = 1f / sum;
            for (int j = 0; j < n; j++) y[start + j] = XMath.Exp(x[start + j] - max) * inv;
        }
    }

    private static void SgdKernel(Index1D i, ArrayView<float> w, ArrayView<float> g, ArrayView<float> avg, float lr, float mom, float wd)
    {
        float p = w[i];
        if (wd != 0f) p *= 1f - lr * wd;
        if (mom == 0f)
        {
            w[i] = p - lr * g[i];
            return;
        }
        float a = mom * avg[i] + g[i];
        avg[i] = a;
        w[i] = p - lr * a;
    }

    private static void AdamKernel(Index1D i, ArrayView<float> w, ArrayView<float> g, ArrayView<float> avg, ArrayView<float> sqr, AdamScalars s)
    {
        float gi = g[i];
        float a = s.Mom * avg[i] + (1f - s.Mom) * gi;
        float q = s.SqrMom * sqr[i] + (1f - s.SqrMom) * gi * gi;
        avg[i] = a;
        sqr[i] = q;
        w[i] = w[i] * s.Decay - s.StepSize * a / (XMath.Sqrt(q * s.InvDebias2) + s.Eps);
    }
}

/// <summary>Adam's per-step scalars, passed as one kernel argument.</summary>
internal readonly record struct AdamScalars(float Decay, float Mom, float SqrMom, float StepSize, float InvDebias2, float Eps);
