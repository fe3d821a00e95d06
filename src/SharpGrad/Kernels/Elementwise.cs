using System.Numerics.Tensors;

namespace SharpGrad.Kernels;

/// <summary>Binary float ops the elementwise kernels support.</summary>
internal enum BinaryOp { Add, Sub, Mul, Div, Max, Min, Pow }

/// <summary>Unary float ops the elementwise kernels support.</summary>
internal enum UnaryOp { Neg, Exp, Log, Sqrt, Abs, Sigmoid, Tanh, Relu, Square, Reciprocal, Sign }

/// <summary>
/// Elementwise float kernels over spans, vectorised by System.Numerics.Tensors (Vector512/256/128 with overlapping
/// tails) and split across cores above <see cref="Parallelism.ElementwiseThreshold"/>. Outputs first, then inputs.
/// </summary>
internal static class Elementwise
{
    /// <summary>dst[i] = op(a[i], b[i]).</summary>
    public static void Binary(BinaryOp op, Span<float> dst, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        // The parallel loops live in their own methods: a lambda capturing a parameter makes C# allocate its closure
        // on entry, so sharing the method would cost every short call an allocation.
        if (dst.Length < Parallelism.ElementwiseThreshold * 2) BinaryRow(op, dst, a, b);
        else BinaryParallel(op, dst, a, b);
    }

    private static unsafe void BinaryParallel(BinaryOp op, Span<float> dst, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        fixed (float* pd = dst, pa = a, pb = b)
        {
            float* d = pd, x = pa, y = pb;
            int n = dst.Length;
            Parallelism.For(n, Parallelism.ElementwiseThreshold, 64, (s, e) =>
                BinaryRow(op, new Span<float>(d + s, e - s), new ReadOnlySpan<float>(x + s, e - s), new ReadOnlySpan<float>(y + s, e - s)));
        }
    }

    /// <summary>dst[i] = value, split over the cores when long.</summary>
    public static void Fill(Span<float> dst, float value)
    {
        if (dst.Length < Parallelism.ElementwiseThreshold * 2) dst.Fill(value);
        else FillParallel(dst, value);
    }

    private static unsafe void FillParallel(Span<float> dst, float value)
    {
        fixed (float* pd = dst)
        {
            float* d = pd;
            Parallelism.For(dst.Length, Parallelism.ElementwiseThreshold, 64, (s, e) => new Span<float>(d + s, e - s).Fill(value));
        }
    }

    /// <summary>dst[i] = op(a[i], b).</summary>
    public static void Binary(BinaryOp op, Span<float> dst, ReadOnlySpan<float> a, float b)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(a, b, dst); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, dst); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(a, b, dst); break;
            case BinaryOp.Div: TensorPrimitives.Divide(a, b, dst); break;
            case BinaryOp.Max: TensorPrimitives.Max(a, b, dst); break;
            case BinaryOp.Min: TensorPrimitives.Min(a, b, dst); break;
            case BinaryOp.Pow: PowScalar(dst, a, b); break;
        }
    }

    /// <summary>dst[i] = op(a, b[i]).</summary>
    public static void Binary(BinaryOp op, Span<float> dst, float a, ReadOnlySpan<float> b)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(b, a, dst); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, dst); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(b, a, dst); break;
            case BinaryOp.Div: TensorPrimitives.Divide(a, b, dst); break;
            case BinaryOp.Max: TensorPrimitives.Max(b, a, dst); break;
            case BinaryOp.Min: TensorPrimitives.Min(b, a, dst); break;
            case BinaryOp.Pow: TensorPrimitives.Pow(a, b, dst); break;
        }
    }

    private static void BinaryRow(BinaryOp op, Span<float> dst, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(a, b, dst); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, dst); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(a, b, dst); break;
            case BinaryOp.Div: TensorPrimitives.Divide(a, b, dst); break;
            case BinaryOp.Max: TensorPrimitives.Max(a, b, dst); break;
            case BinaryOp.Min: TensorPrimitives.Min(a, b, dst); break;
            case BinaryOp.Pow: TensorPrimitives.Pow(a, b, dst); break;
        }
    }

    /// <summary>
    /// dst (contiguous, shape <paramref name="sizes"/>) = op(a, b) where a and b are strided views of the same shape
    /// whose innermost stride is 0 (broadcast) or 1.
    /// </summary>
    public static void BinaryStrided(BinaryOp op, Span<float> dst, int[] sizes,
        ReadOnlySpan<float> a, int[] sa, int offA, ReadOnlySpan<float> b, int[] sb, int offB)
    {
        int[] sd = ShapeMath.ContiguousStrides(sizes);
        var (sz, st) = RowCursor.Coalesce(sizes, sd, sa, sb);
        int n = sz[^1];
        int ia = st[1][^1], ib = st[2][^1];
        if (ia > 1 || ib > 1) throw new InvalidOperationException("Internal error: BinaryStrided needs inner strides of 0 or 1.");
        var cur = new RowCursor(sz, st[0], 0, st[1], offA, st[2], offB);
        if (cur.Rows == 1 && ia == 1 && ib == 1) { Binary(op, dst.Slice(cur.A, n), a.Slice(cur.B, n), b.Slice(cur.C, n)); return; }
        for (int r = 0; r < cur.Rows; r++)
        {
            Span<float> d = dst.Slice(cur.A, n);
            if (ia == 1 && ib == 1) BinaryRow(op, d, a.Slice(cur.B, n), b.Slice(cur.C, n));
            else if (ia == 1) Binary(op, d, a.Slice(cur.B, n), b[cur.C]);
            else if (ib == 1) Binary(op, d, a[cur.B], b.Slice(cur.C, n));
            else d.Fill(Apply(op, a[cur.B], b[cur.C]));
            cur.Advance();
        }
    }

    /// <summary>op(a, b) for one pair of scalars, with the same semantics as the span kernels.</summary>
    public static float Apply(BinaryOp op, float a, float b) => op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Sub => a - b,
        BinaryOp.Mul => a * b,
        BinaryOp.Div => a / b,
        BinaryOp.Max => float.IsNaN(a) || float.IsNaN(b) ? float.NaN : Math.Max(a, b),
        BinaryOp.Min => float.IsNaN(a) || float.IsNaN(b) ? float.NaN : Math.Min(a, b),
        BinaryOp.Pow => MathF.Pow(a, b),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary>dst[i] = a[i]^p, with exact special cases for the common integer and half exponents.</summary>
    public static void PowScalar(Span<float> dst, ReadOnlySpan<float> a, float p)
    {
        switch (p)
        {
            case 1f: a.CopyTo(dst); break;
            case 2f: TensorPrimitives.Multiply(a, a, dst); break;
            case 3f: TensorPrimitives.Multiply(a, a, dst); TensorPrimitives.Multiply(dst, a, dst); break;
            case 0.5f: TensorPrimitives.Sqrt(a, dst); break;
            case -1f: TensorPrimitives.Reciprocal(a, dst); break;
            case 0f: dst.Fill(1f); break;
            default: TensorPrimitives.Pow(a, p, dst); break;
        }
    }

    /// <summary>dst[i] = op(a[i]).</summary>
    public static void Unary(UnaryOp op, Span<float> dst, ReadOnlySpan<float> a)
    {
        if (dst.Length < Parallelism.ElementwiseThreshold * 2) UnaryRow(op, dst, a);
        else UnaryParallel(op, dst, a);
    }

    private static unsafe void UnaryParallel(UnaryOp op, Span<float> dst, ReadOnlySpan<float> a)
    {
        fixed (float* pd = dst, pa = a)
        {
            float* d = pd, x = pa;
            Parallelism.For(dst.Length, Parallelism.ElementwiseThreshold, 64, (s, e) =>
                UnaryRow(op, new Span<float>(d + s, e - s), new ReadOnlySpan<float>(x + s, e - s)));
        }
    }

    private static void UnaryRow(UnaryOp op, Span<float> dst, ReadOnlySpan<float> a)
    {
        if (dst.IsEmpty) return; // some TensorPrimitives ops (Sigmoid) reject empty spans
        switch (op)
        {
            case UnaryOp.Neg: TensorPrimitives.Negate(a, dst); break;
            case UnaryOp.Exp: TensorPrimitives.Exp(a, dst); break;
            case UnaryOp.Log: TensorPrimitives.Log(a, dst); break;
            case UnaryOp.Sqrt: TensorPrimitives.Sqrt(a, dst); break;
            case UnaryOp.Abs: TensorPrimitives.Abs(a, dst); break;
            case UnaryOp.Sigmoid: TensorPrimitives.Sigmoid(a, dst); break;
            case UnaryOp.Tanh: TensorPrimitives.Tanh(a, dst); break;
            case UnaryOp.Relu: TensorPrimitives.Max(a, 0f, dst); break;
            case UnaryOp.Square: TensorPrimitives.Multiply(a, a, dst); break;
            case UnaryOp.Reciprocal: TensorPrimitives.Reciprocal(a, dst); break;
            case UnaryOp.Sign:
                for (int i = 0; i < a.Length; i++) dst[i] = a[i] > 0 ? 1f : a[i] < 0 ? -1f : a[i] == 0 ? 0f : float.NaN;
                break;
        }
    }

    /// <summary>dst[i] = clamp(a[i], min, max); either bound may be absent.</summary>
    public static void Clamp(Span<float> dst, ReadOnlySpan<float> a, float? min, float? max)
    {
        ReadOnlySpan<float> src = a;
        if (min is float lo) { TensorPrimitives.Max(src, lo, dst); src = dst; }
        if (max is float hi) { TensorPrimitives.Min(src, hi, dst); src = dst; }
        if (min is null && max is null) a.CopyTo(dst);
    }

    /// <summary>Scalar twin of <see cref="Unary"/>, the reference the SIMD paths are tested against.</summary>
    public static float Reference(UnaryOp op, float x) => op switch
    {
        UnaryOp.Neg => -x,
        UnaryOp.Exp => MathF.Exp(x),
        UnaryOp.Log => MathF.Log(x),
        UnaryOp.Sqrt => MathF.Sqrt(x),
        UnaryOp.Abs => MathF.Abs(x),
        UnaryOp.Sigmoid => 1f / (1f + MathF.Exp(-x)),
        UnaryOp.Tanh => MathF.Tanh(x),
        UnaryOp.Relu => x > 0 ? x : 0f,
        UnaryOp.Square => x * x,
        UnaryOp.Reciprocal => 1f / x,
        UnaryOp.Sign => x > 0 ? 1f : x < 0 ? -1f : x == 0 ? 0f : float.NaN,
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };
}
