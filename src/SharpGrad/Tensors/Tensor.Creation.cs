namespace SharpGrad;

public sealed partial class Tensor
{
    /// <summary>Reseeds <see cref="Generator.Default"/> (PyTorch's <c>torch.manual_seed</c>).</summary>
    public static void ManualSeed(ulong seed) => Generator.Default.ManualSeed(seed);

    private static Tensor FromArray<T>(T[] data, params int[] sizes) where T : unmanaged =>
        new((T[])data.Clone(), sizes, DTypeExtensions.Of<T>());

    private static Tensor FromMulti<T>(Array data) where T : unmanaged
    {
        var sizes = new int[data.Rank];
        for (int d = 0; d < sizes.Length; d++) sizes[d] = data.GetLength(d);
        var flat = new T[data.Length];
        Buffer.BlockCopy(data, 0, flat, 0, Buffer.ByteLength(data));
        return new Tensor(flat, sizes, DTypeExtensions.Of<T>());
    }

    /// <summary>A 1-D float tensor holding a copy of <paramref name="data"/> (PyTorch's <c>tensor([...])</c>).</summary>
    public static Tensor From(params float[] data) => FromArray(data, data.Length);
    /// <summary>A 2-D float tensor from a rectangular array.</summary>
    public static Tensor From(float[,] data) => FromMulti<float>(data);
    /// <summary>A 3-D float tensor from a rectangular array.</summary>
    public static Tensor From(float[,,] data) => FromMulti<float>(data);
    /// <summary>A 4-D float tensor from a rectangular array.</summary>
    public static Tensor From(float[,,,] data) => FromMulti<float>(data);
    /// <summary>A 1-D int64 tensor.</summary>
    public static Tensor From(params long[] data) => FromArray(data, data.Length);
    /// <summary>A 2-D int64 tensor.</summary>
    public static Tensor From(long[,] data) => FromMulti<long>(data);
    /// <summary>A 1-D int64 tensor from ints (PyTorch's <c>tensor([1, 2])</c> gives int64).</summary>
    public static Tensor From(params int[] data) => FromArray(Array.ConvertAll(data, x => (long)x), data.Length);
    /// <summary>A 2-D int64 tensor from ints.</summary>
    public static Tensor From(int[,] data) => FromMulti<int>(data).Long();
    /// <summary>A 1-D bool tensor.</summary>
    public static Tensor From(params bool[] data) => FromArray(data, data.Length);
    /// <summary>A 2-D bool tensor.</summary>
    public static Tensor From(bool[,] data) => FromMulti<bool>(data);
    /// <summary>A 1-D uint8 tensor.</summary>
    public static Tensor From(params byte[] data) => FromArray(data, data.Length);
    /// <summary>A 2-D uint8 tensor (e.g. a grayscale image).</summary>
    public static Tensor From(byte[,] data) => FromMulti<byte>(data);
    /// <summary>A 3-D uint8 tensor.</summary>
    public static Tensor From(byte[,,] data) => FromMulti<byte>(data);

    /// <summary>A float tensor of <paramref name="shape"/> holding a copy of the row-major <paramref name="data"/>.</summary>
    public static Tensor From(float[] data, ReadOnlySpan<int> shape)
    {
        int[] sizes = shape.ToArray();
        ShapeMath.CheckSizes(sizes);
        if (ShapeMath.Numel(sizes) != data.Length)
            throw new ArgumentException($"From: {data.Length} values cannot fill shape {Shape.Format(sizes)} ({ShapeMath.Numel(sizes)} elements).");
        return new Tensor((float[])data.Clone(), sizes, DType.Float32);
    }

    /// <summary>An int64 tensor of <paramref name="shape"/> holding a copy of <paramref name="data"/>.</summary>
    public static Tensor From(long[] data, ReadOnlySpan<int> shape)
    {
        int[] sizes = shape.ToArray();
        if (ShapeMath.Numel(sizes) != data.Length)
            throw new ArgumentException($"From: {data.Length} values cannot fill shape {Shape.Format(sizes)} ({ShapeMath.Numel(sizes)} elements).");
        return new Tensor((long[])data.Clone(), sizes, DType.Int64);
    }

    /// <summary>A uint8 tensor of <paramref name="shape"/> holding a copy of <paramref name="data"/> (e.g. image pixels).</summary>
    public static Tensor From(byte[] data, ReadOnlySpan<int> shape) => Adopt((byte[])data.Clone(), shape.ToArray());

    /// <summary>A tensor that takes ownership of <paramref name="data"/> without copying; the caller must not touch the array afterwards.</summary>
    internal static Tensor Adopt<T>(T[] data, int[] sizes) where T : unmanaged
    {
        ShapeMath.CheckSizes(sizes);
        if (ShapeMath.Numel(sizes) != data.Length)
            throw new ArgumentException($"From: {data.Length} values cannot fill shape {Shape.Format(sizes)} ({ShapeMath.Numel(sizes)} elements).");
        return new Tensor(data, sizes, DTypeExtensions.Of<T>());
    }

    /// <summary>A 0-d float tensor.</summary>
    public static Tensor Scalar(float value) => new(new[] { value }, [], DType.Float32);

    /// <summary>A 0-d int64 tensor.</summary>
    public static Tensor Scalar(long value) => new(new[] { value }, [], DType.Int64);

    /// <summary>A 0-d bool tensor.</summary>
    public static Tensor Scalar(bool value) => new(new[] { value }, [], DType.Bool);

    /// <summary>A float scalar converts to a 0-d tensor, so <c>t[mask] = 0f</c> and <c>Tensor.Maximum(x, 0f)</c> read naturally.</summary>
    public static implicit operator Tensor(float value) => Scalar(value);

    /// <summary>A float tensor of zeros.</summary>
    public static Tensor Zeros(params ReadOnlySpan<int> shape) => Zeros(shape, DType.Float32);

    /// <summary>A tensor of zeros with the given dtype.</summary>
    public static Tensor Zeros(ReadOnlySpan<int> shape, DType dtype)
    {
        Tensor t = Empty(shape, dtype);
        CapturedGraph.Constant(t); // a capture replays the zeroing of every tensor it made with Empty
        return t;
    }

    /// <summary>A float tensor of ones.</summary>
    public static Tensor Ones(params ReadOnlySpan<int> shape) => Full(shape, 1f);

    /// <summary>A tensor of ones with the given dtype.</summary>
    public static Tensor Ones(ReadOnlySpan<int> shape, DType dtype) => Full(shape, 1f).To(dtype);

    /// <summary>A float tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(ReadOnlySpan<int> shape, float value)
    {
        Tensor t = Uninitialized(shape);
        Kernels.Elementwise.Fill(t.Floats, value);
        CapturedGraph.RecordInPlace((t, value), static s => Kernels.Elementwise.Fill(s.t.Floats, s.value));
        CapturedGraph.Constant(t);
        return t;
    }

    /// <summary>Zeros with the shape, dtype and device of <paramref name="other"/>.</summary>
    public static Tensor ZerosLike(Tensor other) => other.IsOnDevice ? FilledOn(other, 0f) : Zeros(other.Sizes, other.DType);

    /// <summary>Ones with the shape, dtype and device of <paramref name="other"/>.</summary>
    public static Tensor OnesLike(Tensor other) => other.IsOnDevice ? FilledOn(other, 1f) : Ones(other.Sizes, other.DType);

    /// <summary>A float tensor filled with <paramref name="value"/>, shaped like <paramref name="other"/> and on its device.</summary>
    public static Tensor FullLike(Tensor other, float value) => other.IsOnDevice ? FilledOn(other, value) : Full(other.Sizes, value);

    /// <summary>Values from <paramref name="start"/> up to, not including, <paramref name="end"/> (int64, like PyTorch's <c>arange</c> with ints).</summary>
    public static Tensor Arange(long start, long end, long step = 1)
    {
        if (step == 0) throw new ArgumentException("Arange: step must not be zero.");
        long n = Math.Max(0, (end - start + step - Math.Sign(step)) / step);
        var data = new long[n];
        for (long i = 0; i < n; i++) data[i] = start + i * step;
        return new Tensor(data, [(int)n], DType.Int64);
    }

    /// <summary>0, 1, …, <paramref name="end"/>-1 as int64.</summary>
    public static Tensor Arange(long end) => Arange(0, end);

    /// <summary>Float values from <paramref name="start"/> up to, not including, <paramref name="end"/>.</summary>
    public static Tensor Arange(float start, float end, float step = 1f)
    {
        if (step == 0) throw new ArgumentException("Arange: step must not be zero.");
        int n = Math.Max(0, (int)Math.Ceiling((end - start) / (double)step));
        var data = new float[n];
        for (int i = 0; i < n; i++) data[i] = (float)(start + i * (double)step);
        return new Tensor(data, [n], DType.Float32);
    }

    /// <summary><paramref name="steps"/> evenly spaced floats from <paramref name="start"/> to <paramref name="end"/> inclusive.</summary>
    public static Tensor Linspace(float start, float end, int steps)
    {
        if (steps < 0) throw new ArgumentException($"Linspace: steps must be non-negative, got {steps}.");
        var data = new float[steps];
        double step = steps > 1 ? (end - (double)start) / (steps - 1) : 0;
        // PyTorch fills the first half from the start and the second half from the end, so both ends are exact.
        int half = steps / 2;
        for (int i = 0; i < steps; i++)
            data[i] = i < half ? (float)(start + step * i) : (float)(end - step * (steps - 1 - i));
        return new Tensor(data, [steps], DType.Float32);
    }

    /// <summary>The n×m identity matrix (m defaults to n).</summary>
    public static Tensor Eye(int n, int? m = null)
    {
        int cols = m ?? n;
        Tensor t = Zeros(n, cols);
        Span<float> f = t.Floats;
        for (int i = 0; i < Math.Min(n, cols); i++) f[i * cols + i] = 1f;
        return t;
    }

    /// <summary>Floats uniform on [0, 1) from the default generator.</summary>
    public static Tensor Rand(params ReadOnlySpan<int> shape) => Rand(shape, null);

    /// <summary>Floats uniform on [0, 1).</summary>
    public static Tensor Rand(ReadOnlySpan<int> shape, Generator? generator)
    {
        CapturedGraph.ThrowIfCapturing("Tensor.Rand", "a replay would repeat the same random numbers");
        Generator g = generator ?? Generator.Default;
        Tensor t = Empty(shape);
        Span<float> f = t.Floats;
        for (int i = 0; i < f.Length; i++) f[i] = g.NextFloat();
        return t;
    }

    /// <summary>Standard normal floats from the default generator.</summary>
    public static Tensor Randn(params ReadOnlySpan<int> shape) => Randn(shape, null);

    /// <summary>Standard normal floats.</summary>
    public static Tensor Randn(ReadOnlySpan<int> shape, Generator? generator)
    {
        CapturedGraph.ThrowIfCapturing("Tensor.Randn", "a replay would repeat the same random numbers");
        Generator g = generator ?? Generator.Default;
        Tensor t = Empty(shape);
        Span<float> f = t.Floats;
        for (int i = 0; i < f.Length; i++) f[i] = g.NextNormal();
        return t;
    }

    /// <summary>Int64 values uniform on [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static Tensor Randint(long low, long high, ReadOnlySpan<int> shape, Generator? generator = null)
    {
        CapturedGraph.ThrowIfCapturing("Tensor.Randint", "a replay would repeat the same random numbers");
        Generator g = generator ?? Generator.Default;
        Tensor t = Empty(shape, DType.Int64);
        Span<long> v = t.Contents<long>();
        for (int i = 0; i < v.Length; i++) v[i] = g.NextInt64(low, high);
        return t;
    }

    /// <summary>A random permutation of 0..n-1 (int64), by Fisher-Yates.</summary>
    public static Tensor Randperm(int n, Generator? generator = null)
    {
        if (n < 0) throw new ArgumentException($"Randperm: n must be non-negative, got {n}.");
        CapturedGraph.ThrowIfCapturing("Tensor.Randperm", "a replay would repeat the same permutation");
        Generator g = generator ?? Generator.Default;
        var p = new long[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)g.NextInt64(0, i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return new Tensor(p, [n], DType.Int64);
    }
}
