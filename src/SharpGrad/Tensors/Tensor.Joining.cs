using SharpGrad.Kernels;

namespace SharpGrad;

public sealed partial class Tensor
{
    private (int Outer, int N, int Inner) AroundDim(int dim)
    {
        int outer = 1, inner = 1;
        for (int d = 0; d < dim; d++) outer *= Sizes[d];
        for (int d = dim + 1; d < NDim; d++) inner *= Sizes[d];
        return (outer, Sizes[dim], inner);
    }

    private static void RequireIndex(Tensor index, string op)
    {
        if (index.DType != DType.Int64)
            throw new ArgumentException($"{op}: the index must be an int64 tensor, got {index.DType.TorchName()} (convert with Long()).");
    }

    /// <summary>Values along <paramref name="dim"/> at the positions in <paramref name="index"/> (same rank; PyTorch's <c>gather</c>).</summary>
    public Tensor Gather(int dim, Tensor index)
    {
        RequireIndex(index, "Gather");
        int d = ShapeMath.NormalizeDim(dim, NDim, "Gather");
        if (index.NDim != NDim)
            throw new ArgumentException($"Gather: the index has {index.NDim} dims ({index.Shape}) but the input has {NDim} ({Shape}).");
        for (int k = 0; k < NDim; k++)
            if (k != d && index.Sizes[k] > Sizes[k])
                throw new ArgumentException($"Gather: index shape {index.Shape} is larger than input shape {Shape} in dim {k}.");
        Tensor src = Contiguous(), idx = index.Contiguous();
        Tensor r = Empty(index.Sizes, DType);
        GatherInto(r, src, idx, d);
        CapturedGraph.Record(r, (r, src, idx, d), static s => GatherInto(s.r, s.src, s.idx, s.d));
        int[] inSizes = Sizes;
        return Record(r, OpKind.Gather, this, g => Zeros(inSizes).ScatterAddUnrecorded(d, idx, g), OpTrace.IsActive ? new OpAttributes.Indexed(d, index) : null);
    }

    /// <summary>r = src gathered along <paramref name="d"/> at <paramref name="idx"/> (all contiguous, one dtype).</summary>
    private static void GatherInto(Tensor r, Tensor src, Tensor idx, int d)
    {
        switch (r.DType)
        {
            case DType.Float32: Kernels.Gather.AlongDim(r.Contents<float>(), idx.Contents<long>(), idx.Sizes, src.Contents<float>(), src.Sizes, d); break;
            case DType.Int64: Kernels.Gather.AlongDim(r.Contents<long>(), idx.Contents<long>(), idx.Sizes, src.Contents<long>(), src.Sizes, d); break;
            case DType.Bool: Kernels.Gather.AlongDim(r.Contents<bool>(), idx.Contents<long>(), idx.Sizes, src.Contents<bool>(), src.Sizes, d); break;
            case DType.UInt8: Kernels.Gather.AlongDim(r.Contents<byte>(), idx.Contents<long>(), idx.Sizes, src.Contents<byte>(), src.Sizes, d); break;
        }
    }

    /// <summary>this[... index[p] along dim ...] += src[p], in place and unrecorded by autograd (recorded by a capture); returns this.</summary>
    internal Tensor ScatterAddUnrecorded(int dim, Tensor index, Tensor src)
    {
        Tensor idx = index.Contiguous(), s = src.Contiguous();
        Kernels.Gather.ScatterAdd(Floats, Sizes, idx.Contents<long>(), idx.Sizes, s.Floats, dim);
        CapturedGraph.Record(this, (t: this, idx, s, dim), static a => Kernels.Gather.ScatterAdd(a.t.Floats, a.t.Sizes, a.idx.Contents<long>(), a.idx.Sizes, a.s.Floats, a.dim));
        return this;
    }

    /// <summary>The slices along <paramref name="dim"/> at the positions of a 1-D int64 <paramref name="index"/> (PyTorch's <c>index_select</c>).</summary>
    public Tensor IndexSelect(int dim, Tensor index)
    {
        RequireIndex(index, "IndexSelect");
        if (index.NDim > 1) throw new ArgumentException($"IndexSelect: the index must be 1-D, got shape {index.Shape}.");
        int d = ShapeMath.NormalizeDim(dim, NDim, "IndexSelect");
        if (NDim == 0) return Reshape(1).IndexSelect(0, index).Reshape(index.Sizes);
        Tensor src = Contiguous(), idx = index.Contiguous().Reshape(-1);
        var (outer, n, inner) = AroundDim(d);
        int[] sizes = (int[])Sizes.Clone();
        sizes[d] = idx.Numel;
        Tensor r = Empty(sizes, DType);
        ReadOnlySpan<long> ix = idx.Contents<long>();
        switch (DType)
        {
            case DType.Float32: Kernels.Gather.IndexSelect(r.Contents<float>(), src.Contents<float>(), ix, outer, n, inner, d); break;
            case DType.Int64: Kernels.Gather.IndexSelect(r.Contents<long>(), src.Contents<long>(), ix, outer, n, inner, d); break;
            case DType.Bool: Kernels.Gather.IndexSelect(r.Contents<bool>(), src.Contents<bool>(), ix, outer, n, inner, d); break;
            case DType.UInt8: Kernels.Gather.IndexSelect(r.Contents<byte>(), src.Contents<byte>(), ix, outer, n, inner, d); break;
        }
        int[] inSizes = Sizes;
        return Record(r, OpKind.IndexSelect, this, g =>
        {
            Tensor z = Zeros(inSizes);
            Kernels.Gather.IndexAdd(z.Floats, g.Contiguous().Floats, idx.Contents<long>(), outer, n, inner, d);
            return z;
        }, OpTrace.IsActive ? new OpAttributes.Indexed(d, index) : null);
    }

    /// <summary>Concatenates tensors of the same dtype along <paramref name="dim"/>; other dims must match.</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("Cat: needs at least one tensor.");
        Tensor first = tensors[0];
        int d = ShapeMath.NormalizeDim(dim, first.NDim, "Cat");
        int[] sizes = (int[])first.Sizes.Clone();
        sizes[d] = 0;
        foreach (Tensor t in tensors)
        {
            if (t.DType != first.DType) throw new ArgumentException($"Cat: all tensors must have one dtype, got {first.DType.TorchName()} and {t.DType.TorchName()}.");
            if (t.NDim != first.NDim) throw new ArgumentException($"Cat: shapes {first.Shape} and {t.Shape} have different numbers of dims.");
            for (int k = 0; k < t.NDim; k++)
                if (k != d && t.Sizes[k] != first.Sizes[k])
                    throw new ArgumentException($"Cat: shapes {first.Shape} and {t.Shape} differ in dim {k}, which is not the concatenation dim {d}.");
            sizes[d] += t.Sizes[d];
        }
        Tensor r;
        if (tensors.Any(t => t.IsOnDevice))
        {
            Device device = first.Device;
            foreach (Tensor t in tensors)
                if (t.Device != device) throw new InvalidOperationException($"Cat: the tensors are on different devices, {device} and {t.Device}; move them to one with .To(...) first.");
            if (first.DType != DType.Float32) throw first.Memory.Backend.Unsupported($"Cat of {first.DType.TorchName()} tensors");
            r = OnDevice(first.Memory.Backend, sizes);
        }
        else r = Empty(sizes, first.DType);
        int at = 0;
        var starts = new int[tensors.Count];
        for (int i = 0; i < tensors.Count; i++)
        {
            starts[i] = at;
            r.NarrowView(d, at, tensors[i].Sizes[d]).CopyFrom(tensors[i]);
            at += tensors[i].Sizes[d];
        }
        Tensor[] inputs = tensors.ToArray();
        return Record(r, OpKind.Cat, inputs, g =>
        {
            var grads = new Tensor?[inputs.Length];
            for (int i = 0; i < inputs.Length; i++)
                if (inputs[i].RequiresGradient) grads[i] = g.Narrow(d, starts[i], inputs[i].Sizes[d]);
            return grads;
        }, OpTrace.IsActive ? new OpAttributes.Dims([d], false) : null);
    }

    /// <summary>Stacks tensors of one shape along a new dim <paramref name="dim"/>.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("Stack: needs at least one tensor.");
        int d = ShapeMath.NormalizeDim(dim, tensors[0].NDim + 1, "Stack");
        var parts = new Tensor[tensors.Count];
        for (int i = 0; i < parts.Length; i++)
        {
            if (tensors[i].Shape != tensors[0].Shape)
                throw new ArgumentException($"Stack: all tensors must have one shape, got {tensors[0].Shape} and {tensors[i].Shape} (at position {i}).");
            parts[i] = tensors[i].Unsqueeze(d);
        }
        return Cat(parts, d);
    }

    /// <summary>A view of <paramref name="length"/> entries of dim <paramref name="dim"/> from <paramref name="start"/> (differentiable).</summary>
    public Tensor Narrow(int dim, int start, int length)
    {
        int d = ShapeMath.NormalizeDim(dim, NDim, "Narrow");
        Tensor v = NarrowView(d, start, length);
        int[] inSizes = Sizes;
        return Record(v, OpKind.Narrow, this, g =>
        {
            Tensor z = Zeros(inSizes);
            z.NarrowView(d, start, length).CopyFrom(g);
            return z;
        }, OpTrace.IsActive ? new OpAttributes.Narrow(d, start, length) : null);
    }

    private Tensor NarrowView(int d, int start, int length)
    {
        if (start < 0 || length < 0 || start + length > Sizes[d])
            throw new ArgumentOutOfRangeException(nameof(start), $"Narrow: [{start}, {start + length}) is out of range for dim {d} with size {Sizes[d]}.");
        int[] sizes = (int[])Sizes.Clone();
        sizes[d] = length;
        return new Tensor(Storage, sizes, Strides, Offset + start * Strides[d], DType);
    }

    /// <summary>One-hot encoding of int64 class indices: a new last dim of <paramref name="numClasses"/> (int64, as PyTorch).</summary>
    public Tensor OneHot(int numClasses = -1)
    {
        RequireIndex(this, "OneHot");
        Tensor src = Contiguous();
        ReadOnlySpan<long> labels = src.Contents<long>();
        if (numClasses < 0)
        {
            long max = -1;
            foreach (long l in labels) max = Math.Max(max, l);
            numClasses = (int)max + 1;
        }
        var sizes = new int[NDim + 1];
        Sizes.CopyTo(sizes, 0);
        sizes[^1] = numClasses;
        Tensor r = Empty(sizes, DType.Int64);
        Span<long> d = r.Contents<long>();
        for (int i = 0; i < labels.Length; i++)
        {
            long l = labels[i];
            if (l < 0 || l >= numClasses) throw new ArgumentOutOfRangeException(nameof(numClasses), $"OneHot: class {l} is out of range for {numClasses} classes.");
            d[i * numClasses + (int)l] = 1;
        }
        return r;
    }

    /// <summary>The slices along <paramref name="dim"/> as views, one per index (PyTorch's <c>unbind</c>); <c>x.Unbind().Zip(y.Unbind())</c> is the seed's <c>zip(x, y)</c>.</summary>
    public Tensor[] Unbind(int dim = 0)
    {
        dim = ShapeMath.NormalizeDim(dim, NDim, "Unbind");
        var order = new int[NDim];
        order[0] = dim;
        for (int d = 0, k = 1; d < NDim; d++) if (d != dim) order[k++] = d;
        Tensor moved = dim == 0 ? this : Permute(order);
        var slices = new Tensor[Sizes[dim]];
        for (int i = 0; i < slices.Length; i++) slices[i] = moved[i];
        return slices;
    }
}
