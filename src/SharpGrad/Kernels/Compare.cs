using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SharpGrad.Kernels;

/// <summary>Elementwise comparisons; every op is false when either side is NaN, except <see cref="Ne"/>, which is then true (IEEE 754, as PyTorch).</summary>
internal enum CompareOp { Eq, Ne, Gt, Lt, Ge, Le }

/// <summary>
/// Float comparisons into bool masks and the <c>where</c> select, vectorised with Vector256 (which the JIT lowers to
/// two Vector128 halves where AVX is off). Outputs first, then inputs. A scalar operand is passed as a span of length 1
/// and broadcast. Each has a scalar <c>Reference</c> twin for the tests.
/// </summary>
internal static class Compare
{
    /// <summary>Byte i of entry m is bit i of m: spreads an 8-lane comparison mask into eight bools in one store.</summary>
    private static readonly ulong[] Spread = BuildSpread();

    private static ulong[] BuildSpread()
    {
        var table = new ulong[256];
        for (int m = 0; m < 256; m++)
            for (int i = 0; i < 8; i++)
                if ((m >> i & 1) != 0) table[m] |= 1UL << (8 * i);
        return table;
    }

    /// <summary>dst[i] = x[i] op y[i], where x or y may have length 1 (broadcast).</summary>
    public static void Floats(CompareOp op, Span<bool> dst, ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int n = dst.Length;
        if ((x.Length != n && x.Length != 1) || (y.Length != n && y.Length != 1))
            throw new ArgumentException($"Compare: operand lengths {x.Length} and {y.Length} do not fit an output of {n}.");
        ref float px = ref MemoryMarshal.GetReference(x), py = ref MemoryMarshal.GetReference(y);
        ref byte pd = ref Unsafe.As<bool, byte>(ref MemoryMarshal.GetReference(dst));
        bool sx = x.Length == 1 && n != 1, sy = y.Length == 1 && n != 1;
        int i = 0;
        if (n >= 8)
        {
            Vector256<float> bx = Vector256.Create(x[0]), by = Vector256.Create(y[0]);
            for (; i <= n - 8; i += 8)
            {
                Vector256<float> a = sx ? bx : Vector256.LoadUnsafe(ref px, (nuint)i);
                Vector256<float> b = sy ? by : Vector256.LoadUnsafe(ref py, (nuint)i);
                uint bits = Vector256.ExtractMostSignificantBits(Mask(op, a, b));
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref pd, i), Spread[bits]);
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref pd, i) = Reference(op, sx ? px : Unsafe.Add(ref px, i), sy ? py : Unsafe.Add(ref py, i)) ? (byte)1 : (byte)0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Mask(CompareOp op, Vector256<float> a, Vector256<float> b) => op switch
    {
        CompareOp.Eq => Vector256.Equals(a, b),
        CompareOp.Ne => ~Vector256.Equals(a, b),
        CompareOp.Gt => Vector256.GreaterThan(a, b),
        CompareOp.Lt => Vector256.LessThan(a, b),
        CompareOp.Ge => Vector256.GreaterThanOrEqual(a, b),
        _ => Vector256.LessThanOrEqual(a, b),
    };

    /// <summary>x op y for one pair of floats.</summary>
    public static bool Reference(CompareOp op, float x, float y) => op switch
    {
        CompareOp.Eq => x == y,
        CompareOp.Ne => x != y,
        CompareOp.Gt => x > y,
        CompareOp.Lt => x < y,
        CompareOp.Ge => x >= y,
        _ => x <= y,
    };

    /// <summary>x op y for one pair of int64 values.</summary>
    public static bool Reference(CompareOp op, long x, long y) => op switch
    {
        CompareOp.Eq => x == y,
        CompareOp.Ne => x != y,
        CompareOp.Gt => x > y,
        CompareOp.Lt => x < y,
        CompareOp.Ge => x >= y,
        _ => x <= y,
    };

    /// <summary>dst[i] = c[i] ? x[i] : y[i], where x or y may have length 1 (broadcast).</summary>
    public static void Select(Span<float> dst, ReadOnlySpan<bool> c, ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int n = dst.Length;
        if (c.Length != n || (x.Length != n && x.Length != 1) || (y.Length != n && y.Length != 1))
            throw new ArgumentException($"Select: lengths {c.Length}, {x.Length}, {y.Length} do not fit an output of {n}.");
        ref float px = ref MemoryMarshal.GetReference(x), py = ref MemoryMarshal.GetReference(y), pd = ref MemoryMarshal.GetReference(dst);
        ref byte pc = ref Unsafe.As<bool, byte>(ref MemoryMarshal.GetReference(c));
        bool sx = x.Length == 1 && n != 1, sy = y.Length == 1 && n != 1;
        int i = 0;
        if (n >= 8)
        {
            Vector256<float> bx = Vector256.Create(x[0]), by = Vector256.Create(y[0]);
            for (; i <= n - 8; i += 8)
            {
                // Eight bools -> eight 32-bit lanes that are all ones where the bool is set.
                Vector128<byte> bytes = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref pc, i))).AsByte();
                (Vector128<ushort> lo, _) = Vector128.Widen(bytes);
                (Vector128<uint> w0, Vector128<uint> w1) = Vector128.Widen(lo);
                Vector256<float> mask = Vector256.GreaterThan(Vector256.Create(w0, w1), Vector256<uint>.Zero).AsSingle();
                Vector256<float> a = sx ? bx : Vector256.LoadUnsafe(ref px, (nuint)i);
                Vector256<float> b = sy ? by : Vector256.LoadUnsafe(ref py, (nuint)i);
                Vector256.ConditionalSelect(mask, a, b).StoreUnsafe(ref pd, (nuint)i);
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref pd, i) = Unsafe.Add(ref pc, i) != 0 ? (sx ? px : Unsafe.Add(ref px, i)) : (sy ? py : Unsafe.Add(ref py, i));
    }

    /// <summary>dst[i] = gate[i] &gt; 0 ? values[i] : 0 — ReLU's backward in one pass (no mask tensors), split over the cores when long.</summary>
    public static void WherePositive(Span<float> dst, ReadOnlySpan<float> gate, ReadOnlySpan<float> values)
    {
        int n = dst.Length;
        if (gate.Length != n || values.Length != n)
            throw new ArgumentException($"WherePositive: lengths {gate.Length} and {values.Length} do not fit an output of {n}.");
        if (n < Parallelism.ElementwiseThreshold * 2) WherePositiveRange(dst, gate, values);
        else WherePositiveParallel(dst, gate, values);
    }

    /// <summary>WherePositive split over the cores (its own method, so short calls allocate no closure).</summary>
    private static unsafe void WherePositiveParallel(Span<float> dst, ReadOnlySpan<float> gate, ReadOnlySpan<float> values)
    {
        int n = dst.Length;
        fixed (float* pd = dst, pg = gate, pv = values)
        {
            float* d = pd, g = pg, v = pv;
            Parallelism.For(n, Parallelism.ElementwiseThreshold, 64, (s, e) =>
                WherePositiveRange(new Span<float>(d + s, e - s), new ReadOnlySpan<float>(g + s, e - s), new ReadOnlySpan<float>(v + s, e - s)));
        }
    }

    internal static void WherePositiveRange(Span<float> dst, ReadOnlySpan<float> gate, ReadOnlySpan<float> values)
    {
        int n = dst.Length;
        ref float pg = ref MemoryMarshal.GetReference(gate), pv = ref MemoryMarshal.GetReference(values), pd = ref MemoryMarshal.GetReference(dst);
        int i = 0;
        for (; i <= n - 8; i += 8)
        {
            Vector256<float> mask = Vector256.GreaterThan(Vector256.LoadUnsafe(ref pg, (nuint)i), Vector256<float>.Zero);
            Vector256.BitwiseAnd(mask, Vector256.LoadUnsafe(ref pv, (nuint)i)).StoreUnsafe(ref pd, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref pd, i) = Unsafe.Add(ref pg, i) > 0 ? Unsafe.Add(ref pv, i) : 0f;
    }
}
