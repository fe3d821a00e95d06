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

    /// <summary>The elements of <paramref name="t"/> broadcast to <paramref name="shape"/>: one element when it has only one (the kernels broadcast it), else a materialized copy.</summary>
    private static ReadOnlySpan<T> Operand<T>(Tensor t, int[] shape) where T : unmanaged =>
        t.Numel == 1 ? t.StorageSpan<T>().Slice(t.Offset, 1) : Materialize(t, shape).Contents<T>();

    private static Tensor Compare(Tensor a, Tensor b, CompareOp op)
    {
        int[] shape = ShapeMath.Broadcast(a.Sizes, b.Sizes, op.ToString());
        Tensor r = Uninitialized(shape, DType.Bool);
        Span<bool> d = r.Contents<bool>();
        if (a.DType == DType.Float32 || b.DType == DType.Float32)
        {
            Kernels.Compare.Floats(op, d, Operand<float>(a.To(DType.Float32), shape), Operand<float>(b.To(DType.Float32), shape));
        }
        else
        {
            ReadOnlySpan<long> x = Operand<long>(a.To(DType.Int64), shape), y = Operand<long>(b.To(DType.Int64), shape);
            int sx = x.Length == 1 ? 0 : 1, sy = y.Length == 1 ? 0 : 1;
            for (int i = 0; i < d.Length; i++) d[i] = Kernels.Compare.Reference(op, x[i * sx], y[i * sy]);
        }
        return r;
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
        Span<bool> c = Materialize(condition, shape).Contents<bool>();
        Tensor r = Uninitialized(shape, a.DType);
        switch (a.DType)
        {
            case DType.Float32: Kernels.Compare.Select(r.Contents<float>(), c, Operand<float>(a, shape), Operand<float>(b, shape)); break;
            case DType.Int64: Select<long>(r, c, a, b, shape); break;
            case DType.Bool: Select<bool>(r, c, a, b, shape); break;
            case DType.UInt8: Select<byte>(r, c, a, b, shape); break;
        }
        Tensor cond = condition;
        return Record(r, "WhereBackward0", [a, b], g =>
        [
            a.RequiresGradient ? Where(cond, g, Scalar(0f)).SumToShape(a.Sizes) : null,
            b.RequiresGradient ? Where(cond, Scalar(0f), g).SumToShape(b.Sizes) : null,
        ]);
    }

    private static void Select<T>(Tensor r, Span<bool> c, Tensor a, Tensor b, int[] shape) where T : unmanaged
    {
        Span<T> d = r.Contents<T>(), x = Materialize(a, shape).Contents<T>(), y = Materialize(b, shape).Contents<T>();
        for (int i = 0; i < d.Length; i++) d[i] = c[i] ? x[i] : y[i];
    }
}
