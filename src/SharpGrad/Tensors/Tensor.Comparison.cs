using SharpGrad.Kernels;

namespace SharpGrad;

public sealed partial class Tensor
{
    /// <summary>A contiguous, unrecorded copy of <paramref name="t"/> broadcast to <paramref name="shape"/> (this tensor itself when nothing changes).</summary>
    internal static Tensor Materialize(Tensor t, int[] shape)
    {
        if (t.IsContiguous && t.Sizes.AsSpan().SequenceEqual(shape)) return t;
        var view = new Tensor(t.Storage, shape, ShapeMath.BroadcastStrides(t.Sizes, t.Strides, shape), t.Offset, t.DType);
        return view.CloneUnrecorded();
    }

    /// <summary><paramref name="t"/> broadcast to <paramref name="shape"/> for a kernel that broadcasts one element itself: <paramref name="t"/> when it has one element, else a materialized copy.</summary>
    private static Tensor KernelOperand(Tensor t, int[] shape) => IsOneElement(t) ? t : Materialize(t, shape);

    /// <summary>Whether every element of <paramref name="t"/> is the same stored one (a scalar, or a scalar expanded, as a mean's gradient is).</summary>
    private static bool IsOneElement(Tensor t)
    {
        if (t.Numel == 1) return true;
        for (int d = 0; d < t.NDim; d++)
            if (t.Strides[d] != 0 && t.Sizes[d] != 1) return false;
        return t.Numel > 0;
    }

    /// <summary>The elements of an operand prepared by <see cref="KernelOperand(Tensor, int[])"/>: one element when all are the same.</summary>
    private static ReadOnlySpan<T> OperandSpan<T>(Tensor t) where T : unmanaged =>
        IsOneElement(t) ? t.StorageSpan<T>().Slice(t.Offset, 1) : t.Contents<T>();

    private static Tensor Compare(Tensor a, Tensor b, CompareOp op)
    {
        int[] shape = ShapeMath.Broadcast(a.Sizes, b.Sizes, op.ToString());
        Tensor r = Uninitialized(shape, DType.Bool);
        bool floats = a.DType == DType.Float32 || b.DType == DType.Float32;
        DType common = floats ? DType.Float32 : DType.Int64;
        Tensor x = KernelOperand(a.To(common), shape), y = KernelOperand(b.To(common), shape);
        CompareInto(op, r, x, y);
        CapturedGraph.Record(r, (op, r, x, y), static s => CompareInto(s.op, s.r, s.x, s.y));
        if (OpTrace.IsActive) OpTrace.Report(OpKind.Compare, r, [a, b], new OpAttributes.Compare(op));
        return r;
    }

    private static void CompareInto(CompareOp op, Tensor r, Tensor a, Tensor b)
    {
        Span<bool> d = r.Contents<bool>();
        if (a.DType == DType.Float32)
        {
            Kernels.Compare.Floats(op, d, OperandSpan<float>(a), OperandSpan<float>(b));
            return;
        }
        ReadOnlySpan<long> x = OperandSpan<long>(a), y = OperandSpan<long>(b);
        int sx = x.Length == 1 ? 0 : 1, sy = y.Length == 1 ? 0 : 1;
        for (int i = 0; i < d.Length; i++) d[i] = Kernels.Compare.Reference(op, x[i * sx], y[i * sy]);
    }

    /// <summary>A 0-d tensor holding <paramref name="v"/>: int64 when comparing an integer tensor with a whole number, so the comparison stays exact.</summary>
    private static Tensor ScalarLike(Tensor t, float v) =>
        t.DType != DType.Float32 && v == MathF.Floor(v) ? Scalar((long)v) : Scalar(v);

    /// <summary>Elementwise equality (bool tensor), with broadcasting.</summary>
    public Tensor Eq(Tensor other) => Compare(this, other, CompareOp.Eq);
    /// <summary>Elementwise equality with a scalar.</summary>
    public Tensor Eq(float other) => Compare(this, ScalarLike(this, other), CompareOp.Eq);
    /// <summary>Elementwise inequality (bool tensor).</summary>
    public Tensor Ne(Tensor other) => Compare(this, other, CompareOp.Ne);
    /// <summary>Elementwise inequality with a scalar.</summary>
    public Tensor Ne(float other) => Compare(this, ScalarLike(this, other), CompareOp.Ne);
    /// <summary>this &gt; other, elementwise.</summary>
    public Tensor Gt(Tensor other) => Compare(this, other, CompareOp.Gt);
    /// <summary>this &gt; scalar, elementwise.</summary>
    public Tensor Gt(float other) => Compare(this, ScalarLike(this, other), CompareOp.Gt);
    /// <summary>this &lt; other, elementwise.</summary>
    public Tensor Lt(Tensor other) => Compare(this, other, CompareOp.Lt);
    /// <summary>this &lt; scalar, elementwise.</summary>
    public Tensor Lt(float other) => Compare(this, ScalarLike(this, other), CompareOp.Lt);
    /// <summary>this &gt;= other, elementwise.</summary>
    public Tensor Ge(Tensor other) => Compare(this, other, CompareOp.Ge);
    /// <summary>this &gt;= scalar, elementwise.</summary>
    public Tensor Ge(float other) => Compare(this, ScalarLike(this, other), CompareOp.Ge);
    /// <summary>this &lt;= other, elementwise.</summary>
    public Tensor Le(Tensor other) => Compare(this, other, CompareOp.Le);
    /// <summary>this &lt;= scalar, elementwise.</summary>
    public Tensor Le(float other) => Compare(this, ScalarLike(this, other), CompareOp.Le);

    /// <summary>Elementwise a &gt; b.</summary>
    public static Tensor operator >(Tensor a, Tensor b) => a.Gt(b);
    /// <summary>Elementwise a &lt; b.</summary>
    public static Tensor operator <(Tensor a, Tensor b) => a.Lt(b);
    /// <summary>Elementwise a &gt;= b.</summary>
    public static Tensor operator >=(Tensor a, Tensor b) => a.Ge(b);
    /// <summary>Elementwise a &lt;= b.</summary>
    public static Tensor operator <=(Tensor a, Tensor b) => a.Le(b);
    /// <summary>Elementwise a &gt; scalar.</summary>
    public static Tensor operator >(Tensor a, float b) => a.Gt(b);
    /// <summary>Elementwise a &lt; scalar.</summary>
    public static Tensor operator <(Tensor a, float b) => a.Lt(b);
    /// <summary>Elementwise a &gt;= scalar.</summary>
    public static Tensor operator >=(Tensor a, float b) => a.Ge(b);
    /// <summary>Elementwise a &lt;= scalar.</summary>
    public static Tensor operator <=(Tensor a, float b) => a.Le(b);

    /// <summary>Elements of <paramref name="a"/> where <paramref name="condition"/> is true, else of <paramref name="b"/>, with broadcasting (PyTorch's <c>torch.where</c>).</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        if (condition.DType != DType.Bool)
            throw new ArgumentException($"Where: the condition must be a bool tensor, got {condition.DType.TorchName()} (compare with Gt/Eq/... to get one).");
        if (a.DType != b.DType)
        {
            if (a.DType != DType.Float32 && b.DType != DType.Float32)
                throw new ArgumentException($"Where: a and b have different dtypes ({a.DType.TorchName()} and {b.DType.TorchName()}).");
            a = a.Float();
            b = b.Float();
        }
        int[] shape = ShapeMath.Broadcast(ShapeMath.Broadcast(condition.Sizes, a.Sizes, "Where"), b.Sizes, "Where");
        Tensor c = Materialize(condition, shape), r = Uninitialized(shape, a.DType);
        Tensor x = a.DType == DType.Float32 ? KernelOperand(a, shape) : Materialize(a, shape);
        Tensor y = b.DType == DType.Float32 ? KernelOperand(b, shape) : Materialize(b, shape);
        SelectInto(r, c, x, y);
        CapturedGraph.Record(r, (r, c, x, y), static s => SelectInto(s.r, s.c, s.x, s.y));
        Tensor cond = condition;
        return Record(r, OpKind.Where, [a, b], g =>
        [
            a.RequiresGradient ? Where(cond, g, Scalar(0f)).SumToShape(a.Sizes) : null,
            b.RequiresGradient ? Where(cond, Scalar(0f), g).SumToShape(b.Sizes) : null,
        ], OpTrace.IsActive ? new OpAttributes.Where(cond) : null);
    }

    /// <summary>r = c ? x : y, with <paramref name="c"/> materialized and float operands as <see cref="KernelOperand(Tensor, int[])"/> prepares them.</summary>
    private static void SelectInto(Tensor r, Tensor c, Tensor x, Tensor y)
    {
        Span<bool> cond = c.Contents<bool>();
        switch (r.DType)
        {
            case DType.Float32: Kernels.Compare.Select(r.Contents<float>(), cond, OperandSpan<float>(x), OperandSpan<float>(y)); break;
            case DType.Int64: Select<long>(r, cond, x, y); break;
            case DType.Bool: Select<bool>(r, cond, x, y); break;
            case DType.UInt8: Select<byte>(r, cond, x, y); break;
        }
    }

    private static void Select<T>(Tensor r, Span<bool> c, Tensor x, Tensor y) where T : unmanaged
    {
        Span<T> d = r.Contents<T>(), a = x.Contents<T>(), b = y.Contents<T>();
        for (int i = 0; i < d.Length; i++) d[i] = c[i] ? a[i] : b[i];
    }
}
