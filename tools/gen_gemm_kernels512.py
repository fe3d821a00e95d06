# Generates GemmKernels512.cs (the AVX-512 strided-A micro-kernel, one instantiation per row count).
# Run: python3 tools/gen_gemm_kernels512.py > src/SharpGrad/Kernels/GemmKernels512.cs
R = 14
out = []
w = out.append
w('''using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpGrad.Kernels;

/// <summary>A micro-kernel's row count as a type, so each instantiation is compiled with its rows known.</summary>
internal interface IGemmRows
{
    static abstract int Count { get; }
}
''')
for r in range(1, R + 1):
    w(f'internal struct GemmRows{r} : IGemmRows {{ public static int Count => {r}; }}')
w('''
/// <summary>
/// The AVX-512 micro-kernel: C tile (rows × nn, nn ≤ 32) (+)= A (rows × kc) · B (kc × 32). A is read in place through
/// its strides (element (i, p) at <c>a[i*rsA + p*csA]</c>), so a packed panel (rsA 1, csA rows) and an unpacked
/// matrix or transposed view use the same code; B's rows are 32 floats apart when packed, or <c>rsB</c> apart when
/// read in place. Columns past <c>nn</c> are masked on every load and store of C, and of B when <c>maskB</c> is set
/// (B read in place, so reading past its last column could fault), so edge tiles need no scratch copy.
/// Up to 14 rows: 28 accumulators, two B vectors and a broadcast fill the 32 zmm registers. Each row is written out
/// behind a <c>TRows.Count</c> test that the JIT folds per instantiation, so every accumulator stays in a register
/// and A's 14 rows are addressed from two base pointers plus six row-stride multiples.
/// </summary>
internal static unsafe class GemmKernels512
{
    /// <summary>Entry points indexed by row count (index 0 unused).</summary>
    internal static readonly delegate*<int, float*, nint, nint, float*, nint, bool, float*, nint, int, bool, void>[] ByRows =
    [
        null,''')
for r in range(1, R + 1):
    w(f'        &Kernel<GemmRows{r}>,')
w('''    ];
''')
w('''    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Kernel<TRows>(int kc, float* a, nint rsA, nint csA, float* b, nint rsB, bool maskB, float* c, nint ldc, int nn, bool accumulate)
        where TRows : struct, IGemmRows
    {''')
decl = ', '.join(f'c{i}_0 = default, c{i}_1 = default' for i in range(R))
w(f'        Vector512<float> {decl};')
w('''        nint r1 = rsA * sizeof(float), r2 = r1 * 2, r3 = r1 * 3, r4 = r1 * 4, r5 = r1 * 5, r6 = r1 * 6, step = csA * sizeof(float);
        byte* a0 = (byte*)a, a7 = a0 + r1 * 7;
        Vector512<int> lanes = Vector512<int>.Indices;
        Vector512<float> mask0 = Vector512.LessThan(lanes, Vector512.Create(nn)).AsSingle();
        Vector512<float> mask1 = Vector512.LessThan(lanes, Vector512.Create(nn - 16)).AsSingle();''')
def off(i):
    base = 'a0' if i < 7 else 'a7'
    j = i % 7
    return f'*(float*)({base} + r{j})' if j else f'*(float*){base}'
def body(masked, ind):
    s = []
    if masked:
        s.append(f'{ind}var b0 = Avx512F.MaskLoad(b, mask0, Vector512<float>.Zero);')
        s.append(f'{ind}var b1 = Avx512F.MaskLoad(b + 16, mask1, Vector512<float>.Zero);')
    else:
        s.append(f'{ind}var b0 = Vector512.Load(b);')
        s.append(f'{ind}var b1 = Vector512.Load(b + 16);')
    for i in range(R):
        g = f'if (TRows.Count > {i}) ' if i > 0 else ''
        s.append(f'{ind}{g}{{ var x = Vector512.Create({off(i)}); c{i}_0 = Avx512F.FusedMultiplyAdd(x, b0, c{i}_0); c{i}_1 = Avx512F.FusedMultiplyAdd(x, b1, c{i}_1); }}')
    s.append(f'{ind}a0 += step;')
    s.append(f'{ind}if (TRows.Count > 7) a7 += step;')
    s.append(f'{ind}b += rsB;')
    return s
w('''        if (nn == 32 || !maskB)
        {
            for (int p = 0; p < kc; p++)
            {''')
out.extend(body(False, '                '))
w('''            }
        }
        else
        {
            for (int p = 0; p < kc; p++)
            {''')
out.extend(body(True, '                '))
w('''            }
        }
        if (nn == 32)
        {
            if (accumulate)
            {''')
for i in range(R):
    g = f'if (TRows.Count > {i}) ' if i > 0 else ''
    w(f'                {g}{{ float* q = c + {i} * ldc; Vector512.Store(Vector512.Load(q) + c{i}_0, q); Vector512.Store(Vector512.Load(q + 16) + c{i}_1, q + 16); }}')
w('''            }
            else
            {''')
for i in range(R):
    g = f'if (TRows.Count > {i}) ' if i > 0 else ''
    w(f'                {g}{{ float* q = c + {i} * ldc; Vector512.Store(c{i}_0, q); Vector512.Store(c{i}_1, q + 16); }}')
w('''            }
        }
        else if (accumulate)
        {''')
for i in range(R):
    g = f'if (TRows.Count > {i}) ' if i > 0 else ''
    w(f'            {g}{{ float* q = c + {i} * ldc; StoreMasked(q, mask0, mask1, c{i}_0 + LoadMasked(q, mask0), c{i}_1 + LoadMasked(q + 16, mask1)); }}')
w('''        }
        else
        {''')
for i in range(R):
    g = f'if (TRows.Count > {i}) ' if i > 0 else ''
    w(f'            {g}StoreMasked(c + {i} * ldc, mask0, mask1, c{i}_0, c{i}_1);')
w('''        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> LoadMasked(float* p, Vector512<float> mask) => Avx512F.MaskLoad(p, mask, Vector512<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreMasked(float* p, Vector512<float> mask0, Vector512<float> mask1, Vector512<float> v0, Vector512<float> v1)
    {
        Avx512F.MaskStore(p, mask0, v0);
        Avx512F.MaskStore(p + 16, mask1, v1);
    }
}''')
print('\n'.join(out))
