using SharpGrad.Kernels;

namespace SharpGrad;

public sealed partial class Tensor
{
    /// <summary>Sorted, distinct, normalised reduction dims; all dims when <paramref name="dims"/> is null.</summary>
    private int[] ReductionDims(ReadOnlySpan<int> dims, bool all, string op)
    {
        if (all) return Enumerable.Range(0, NDim).ToArray();
        var set = new SortedSet<int>();
        foreach (int d in dims)
            if (!set.Add(ShapeMath.NormalizeDim(d, NDim, op)))
                throw new ArgumentException($"{op}: dim {d} appears more than once in {Shape.Format(dims)}.");
        return set.ToArray();
    }

    private int[] ReducedShape(int[] dims, bool keepDim)
    {
        var r = new List<int>(NDim);
        for (int d = 0; d < NDim; d++)
        {
            if (Array.IndexOf(dims, d) < 0) r.Add(Sizes[d]);
            else if (keepDim) r.Add(1);
        }
        return r.ToArray();
    }

    /// <summary>
    /// Lays out the data as a contiguous [outer, n, inner] block with the reduced <paramref name="dims"/> in the middle:
    /// no copy when they are adjacent in a contiguous tensor, else a permuted copy with them last.
    /// </summary>
    private (Tensor Block, int Outer, int N, int Inner) ReductionBlock(int[] dims)
    {
        bool adjacent = dims.Length == 0 || dims[^1] - dims[0] == dims.Length - 1;
        Tensor x = this;
        if (!adjacent)
        {
            var perm = new List<int>();
            for (int d = 0; d < NDim; d++) if (Array.IndexOf(dims, d) < 0) perm.Add(d);
            perm.AddRange(dims);
            x = Detach().Permute(perm.ToArray());
            dims = Enumerable.Range(NDim - dims.Length, dims.Length).ToArray();
        }
        x = x.IsContiguous ? x : x.Detach().CloneUnrecorded();
        if (dims.Length == 0) return (x, x.Numel, 1, 1);
        int outer = 1, n = 1, inner = 1;
        for (int d = 0; d < x.NDim; d++)
        {
            if (d < dims[0]) outer *= x.Sizes[d];
            else if (d <= dims[^1]) n *= x.Sizes[d];
            else inner *= x.Sizes[d];
        }
        return (x, outer, n, inner);
    }

    private Tensor SumImpl(int[] dims, bool keepDim)
    {
        if (DType != DType.Float32) throw new NotSupportedException($"Sum needs a float tensor, got {DType.TorchName()}. Convert with Float() first.");
        var (block, outer, n, inner) = ReductionBlock(dims);
        Tensor r;
        if (block.IsOnDevice) r = DeviceSum(block, ReducedShape(dims, keepDim), outer, n, inner);
        else
        {
            r = Empty(ReducedShape(dims, keepDim));
            Reduce.Sum(r.Floats, block.Floats, outer, n, inner);
            CapturedGraph.Record(r, (r, block, outer, n, inner), static s => Reduce.Sum(s.r.Floats, s.block.Floats, s.outer, s.n, s.inner));
        }
        int[] inSizes = Sizes, keepShape = ReducedShape(dims, true);
        return Record(r, OpKind.Sum, this, g => g.Reshape(keepShape).Expand(inSizes), OpTrace.IsActive ? new OpAttributes.Dims(dims, keepDim) : null);
    }

    /// <summary>Sum of all elements (0-d).</summary>
    public Tensor Sum() => SumImpl(ReductionDims([], true, "Sum"), false);

    /// <summary>Sum over one dim.</summary>
    public Tensor Sum(int dim, bool keepDim = false) => SumImpl(ReductionDims([dim], false, "Sum"), keepDim);

    /// <summary>Sum over several dims, e.g. <c>Sum([-1, -2])</c>.</summary>
    public Tensor Sum(int[] dims, bool keepDim = false) => SumImpl(ReductionDims(dims, false, "Sum"), keepDim);

    private int CountOf(int[] dims)
    {
        int n = 1;
        foreach (int d in dims) n *= Sizes[d];
        return n;
    }

    /// <summary>Mean of all elements (0-d).</summary>
    public Tensor Mean() => Sum().Div(Numel);

    /// <summary>Mean over one dim.</summary>
    public Tensor Mean(int dim, bool keepDim = false) => Mean([dim], keepDim);

    /// <summary>Mean over several dims, e.g. <c>Mean([-1, -2])</c> for the mean over each image.</summary>
    public Tensor Mean(int[] dims, bool keepDim = false)
    {
        int[] d = ReductionDims(dims, false, "Mean");
        return SumImpl(d, keepDim).Div(CountOf(d));
    }

    /// <summary>Variance over all elements (Bessel-corrected unless <paramref name="unbiased"/> is false).</summary>
    public Tensor Var(bool unbiased = true) => VarImpl(ReductionDims([], true, "Var"), unbiased, false);

    /// <summary>Variance over one dim.</summary>
    public Tensor Var(int dim, bool unbiased = true, bool keepDim = false) => VarImpl(ReductionDims([dim], false, "Var"), unbiased, keepDim);

    /// <summary>Variance over several dims.</summary>
    public Tensor Var(int[] dims, bool unbiased = true, bool keepDim = false) => VarImpl(ReductionDims(dims, false, "Var"), unbiased, keepDim);

    private Tensor VarImpl(int[] dims, bool unbiased, bool keepDim)
    {
        int n = CountOf(dims);
        Tensor centered = Sub(SumImpl(dims, true).Div(n));
        return centered.Square().SumImpl(dims, keepDim).Div(Math.Max(n - (unbiased ? 1 : 0), 0));
    }

    /// <summary>Standard deviation over all elements.</summary>
    public Tensor Std(bool unbiased = true) => Var(unbiased).Sqrt();

    /// <summary>Standard deviation over one dim.</summary>
    public Tensor Std(int dim, bool unbiased = true, bool keepDim = false) => Var(dim, unbiased, keepDim).Sqrt();

    /// <summary>Standard deviation over several dims.</summary>
    public Tensor Std(int[] dims, bool unbiased = true, bool keepDim = false) => Var(dims, unbiased, keepDim).Sqrt();

    private (Tensor Values, Tensor Indices) MaxMinDim(int dim, bool keepDim, bool max)
    {
        string op = max ? "Max" : "Min";
        if (DType != DType.Float32) throw new NotSupportedException($"{op} needs a float tensor, got {DType.TorchName()}.");
        int[] dims = ReductionDims([dim], false, op);
        if (Sizes.Length > 0 && Sizes[dims[0]] == 0) throw new ArgumentException($"{op}: cannot reduce over dim {dim} of size 0 (shape {Shape}).");
        var (block, outer, n, inner) = ReductionBlock(dims);
        int[] shape = ReducedShape(dims, keepDim);
        if (block.IsOnDevice) return DeviceMaxMin(block, dims[0], shape, keepDim, outer, n, inner, max);
        Tensor values = Empty(shape), indices = Empty(shape, DType.Int64);
        Reduce.MaxMin(values.Floats, indices.Contents<long>(), block.Floats, outer, n, inner, max);
        int d = dims[0];
        int[] inSizes = Sizes, keepShape = ReducedShape(dims, true);
        Tensor idx = indices.Reshape(keepShape);
        Record(values, max ? OpKind.MaxDim : OpKind.MinDim, this, g => Zeros(inSizes).ScatterAddUnrecorded(d, idx, g.Reshape(keepShape)),
            OpTrace.IsActive ? new OpAttributes.Dims([d], keepDim) : null);
        return (values, indices);
    }

    /// <summary>
    /// <see cref="MaxMinDim"/> on a device: the values stay there, the indices come back as an int64 CPU tensor
    /// (integer tensors live on the CPU, as class labels do), and the backward scatters the gradient to the argmax
    /// the forward kept in device memory.
    /// </summary>
    private (Tensor Values, Tensor Indices) DeviceMaxMin(Tensor block, int d, int[] shape, bool keepDim, int outer, int n, int inner, bool max)
    {
        DeviceBackend backend = block.Memory.Backend;
        Tensor values = OnDevice(backend, shape), argmax = OnDevice(backend, [outer * inner]);
        backend.MaxMin(values.Memory, argmax.Memory, block.Memory, block.Offset, outer, n, inner, max);
        Tensor bits = argmax.Download(), indices = Uninitialized(shape, DType.Int64); // a capture replays the download
        WidenIndices(indices, bits);
        CapturedGraph.Record(indices, (indices, bits), static s => WidenIndices(s.indices, s.bits));
        int[] inSizes = Sizes;
        Record(values, max ? OpKind.MaxDim : OpKind.MinDim, this, g =>
        {
            Tensor gc = DenseOnDevice(g), dx = OnDevice(backend, inSizes);
            backend.MaxMinBackward(dx.Memory, gc.Memory, gc.Offset, argmax.Memory, outer, n, inner);
            return dx;
        }, OpTrace.IsActive ? new OpAttributes.Dims([d], keepDim) : null);
        return (values, indices);
    }

    /// <summary>indices (int64) = the int32 indices whose bits a device kernel wrote into float memory, downloaded as <paramref name="bits"/>.</summary>
    private static void WidenIndices(Tensor indices, Tensor bits)
    {
        ReadOnlySpan<int> from = System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(bits.Floats);
        Span<long> to = indices.Contents<long>();
        for (int i = 0; i < to.Length; i++) to[i] = from[i];
    }

    /// <summary>Largest values along <paramref name="dim"/> and their indices (PyTorch's <c>max(dim)</c>).</summary>
    public (Tensor Values, Tensor Indices) Max(int dim, bool keepDim = false) => MaxMinDim(dim, keepDim, true);

    /// <summary>Smallest values along <paramref name="dim"/> and their indices.</summary>
    public (Tensor Values, Tensor Indices) Min(int dim, bool keepDim = false) => MaxMinDim(dim, keepDim, false);

    /// <summary>Largest element (0-d); the gradient is shared evenly among ties.</summary>
    public Tensor Max() => MaxMinAll(true);

    /// <summary>Smallest element (0-d).</summary>
    public Tensor Min() => MaxMinAll(false);

    private Tensor MaxMinAll(bool max)
    {
        if (Numel == 0) throw new ArgumentException($"{(max ? "Max" : "Min")}() of an empty tensor (shape {Shape}).");
        Tensor flat = Detach().Reshape(-1);
        var (v, _) = flat.MaxMinDim(0, false, max);
        Tensor x = this;
        return Record(v, max ? OpKind.MaxAll : OpKind.MinAll, x, g =>
        {
            Tensor ties = x.Eq(v).Float();
            return ties.Div(ties.Sum()).Mul(g);
        });
    }

    /// <summary>Index of the largest element along <paramref name="dim"/>, or in the flattened tensor when null (int64).</summary>
    public Tensor Argmax(int? dim = null, bool keepDim = false)
    {
        if (dim is int d) return Detach().Max(d, keepDim).Indices;
        Tensor idx = Detach().Reshape(-1).Max(0).Indices;
        return keepDim ? idx.Reshape(Enumerable.Repeat(1, NDim).ToArray()) : idx;
    }

    /// <summary>Index of the smallest element along <paramref name="dim"/>, or in the flattened tensor when null.</summary>
    public Tensor Argmin(int? dim = null, bool keepDim = false)
    {
        if (dim is int d) return Detach().Min(d, keepDim).Indices;
        Tensor idx = Detach().Reshape(-1).Min(0).Indices;
        return keepDim ? idx.Reshape(Enumerable.Repeat(1, NDim).ToArray()) : idx;
    }

    /// <summary>Sums a broadcast gradient back down to <paramref name="shape"/> (the inverse of broadcasting).</summary>
    internal Tensor SumToShape(int[] shape)
    {
        if (Sizes.AsSpan().SequenceEqual(shape)) return this;
        int lead = NDim - shape.Length;
        var dims = new List<int>();
        for (int d = 0; d < NDim; d++)
            if (d < lead || (shape[d - lead] == 1 && Sizes[d] != 1)) dims.Add(d);
        Tensor r = dims.Count > 0 ? SumImpl(dims.ToArray(), true) : this;
        return r.Reshape(shape);
    }
}
