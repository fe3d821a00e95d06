using SharpGrad.Kernels;

namespace SharpGrad;

public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product with PyTorch's rules: 1-D·1-D is a dot product, a 1-D operand is treated as a row (left) or
    /// column (right) vector and that dim dropped, and leading batch dims broadcast.
    /// </summary>
    public Tensor MatMul(Tensor other)
    {
        Tensor a = this, b = other;
        if (a.DType != DType.Float32 || b.DType != DType.Float32)
            throw new NotSupportedException($"MatMul needs float tensors, got {a.DType.TorchName()} and {b.DType.TorchName()}.");
        if (a.NDim == 0 || b.NDim == 0)
            throw new ArgumentException($"MatMul: both operands need at least one dim, got shapes {a.Shape} and {b.Shape}.");
        if (a.NDim == 1 && b.NDim == 1) return a.Unsqueeze(0).MatMul(b.Unsqueeze(1)).Reshape();
        if (a.NDim == 1) return a.Unsqueeze(0).MatMul(b).Squeeze(-2);
        if (b.NDim == 1) return a.MatMul(b.Unsqueeze(1)).Squeeze(-1);
        int k = a.Sizes[^1];
        if (b.Sizes[^2] != k)
            throw new ArgumentException($"MatMul: shapes {a.Shape} and {b.Shape} cannot be multiplied ({a.Sizes[^2]}x{k} and {b.Sizes[^2]}x{b.Sizes[^1]}).");
        if (a.NDim > 2 && b.NDim == 2 && a.IsContiguous)
        {
            // Fold the batch into the rows: one large GEMM instead of many small ones.
            var shape = new List<int>(a.Sizes[..^1]) { b.Sizes[1] };
            return a.Reshape(-1, k).MatMul(b).Reshape(shape.ToArray());
        }
        Tensor r = BackendOf(ref a, ref b, "MatMul") is { } backend ? DeviceMatMul(backend, a, b) : MatMulForward(a, b);
        // A gradient is produced in its operand's layout: for a transposed matrix (a Linear's Weight.T) the product is
        // computed transposed, so the gradient that reaches the weight through the transpose is contiguous again.
        return Record(r, OpKind.MatMul, [a, b], g =>
        [
            !a.RequiresGradient ? null : IsTransposedMatrix(a) ? b.MatMul(g.T).T : g.MatMul(b.Transpose(-1, -2)).SumToShape(a.Sizes),
            !b.RequiresGradient ? null : IsTransposedMatrix(b) ? g.T.MatMul(a).T : a.Transpose(-1, -2).MatMul(g).SumToShape(b.Sizes),
        ]);
    }

    /// <summary>Whether <paramref name="t"/> is the transpose of a contiguous 2-D matrix (column-major).</summary>
    private static bool IsTransposedMatrix(Tensor t) =>
        t.NDim == 2 && t.Sizes[0] > 1 && t.Sizes[1] > 1 && t.Strides[0] == 1 && t.Strides[1] == t.Sizes[0];

    /// <summary>The product of two ≥2-D float tensors with broadcast batch dims, read in place through their strides.</summary>
    private static Tensor MatMulForward(Tensor a, Tensor b)
    {
        int[] batch = ShapeMath.Broadcast(a.Sizes[..^2], b.Sizes[..^2], "MatMul");
        Tensor r = Uninitialized([.. batch, a.Sizes[^2], b.Sizes[^1]]);
        MatMulInto(a, b, r);
        CapturedGraph.Record(r, (a, b, r), static s => MatMulInto(s.a, s.b, s.r));
        return r;
    }

    /// <summary>r = a·b with <paramref name="r"/> contiguous, of the broadcast batch shape.</summary>
    private static unsafe void MatMulInto(Tensor a, Tensor b, Tensor r)
    {
        int m = a.Sizes[^2], k = a.Sizes[^1], n = b.Sizes[^1];
        int rsA = a.Strides[^2], csA = a.Strides[^1], rsB = b.Strides[^2], csB = b.Strides[^1];
        fixed (float* pa = a.StorageSpan<float>(), pb = b.StorageSpan<float>(), pr = r.StorageSpan<float>())
        {
            if (r.NDim == 2)
            {
                Gemm.Multiply(pr, n, pa + a.Offset, rsA, csA, pb + b.Offset, rsB, csB, m, n, k, accumulate: false);
                return;
            }
            int[] batch = r.Sizes[..^2];
            int[] sa = ShapeMath.BroadcastStrides(a.Sizes[..^2], a.Strides[..^2], batch);
            int[] sb = ShapeMath.BroadcastStrides(b.Sizes[..^2], b.Strides[..^2], batch);
            int count = ShapeMath.Numel(batch);
            var index = new int[batch.Length];
            for (int t = 0; t < count; t++)
            {
                long oa = a.Offset, ob = b.Offset;
                for (int d = 0; d < batch.Length; d++) { oa += (long)index[d] * sa[d]; ob += (long)index[d] * sb[d]; }
                Gemm.Multiply(pr + (long)t * m * n, n, pa + oa, rsA, csA, pb + ob, rsB, csB, m, n, k, accumulate: false);
                for (int d = batch.Length - 1; d >= 0; d--)
                {
                    if (++index[d] < batch[d]) break;
                    index[d] = 0;
                }
            }
        }
    }
}
