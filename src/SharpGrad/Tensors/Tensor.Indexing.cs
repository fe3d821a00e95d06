using SharpGrad.Autograd;

namespace SharpGrad;

public sealed partial class Tensor
{
    /// <summary>
    /// Indexes like PyTorch: <c>t[1]</c>, <c>t[.., 1]</c>, <c>t[1, 1..3]</c>, <c>t[^1]</c>, <c>t[TensorIndex.Ellipsis, 0]</c>,
    /// <c>t[indexTensor]</c>, <c>t[mask]</c>. Integers and ranges give views; a tensor index gives a copy.
    /// Assigning copies the value (broadcast) into the selected elements, in place.
    /// </summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public Tensor this[params TensorIndex[] indices]
    {
        get => Index(indices);
        set => IndexPut(indices, value);
    }

    /// <summary>What basic indexing did per dim, noted for a tracer while <see cref="BasicIndex"/> walks the entries.</summary>
    private sealed class SliceTrace
    {
        public readonly List<int> Axes = [], Starts = [], Ends = [], Steps = [], Squeezed = [], NewAxes = [];

        public OpAttributes.Slices ToAttributes() => new([.. Axes], [.. Starts], [.. Ends], [.. Steps], [.. Squeezed], [.. NewAxes]);
    }

    /// <summary>
    /// The view selected by the non-tensor entries, and where the single tensor entry (if any) lands in it; with
    /// <paramref name="trace"/>, also what each entry did (the input dims sliced or removed, the new axes' positions).
    /// </summary>
    private (int[] Sizes, int[] Strides, int Offset, int TensorDim, Tensor? TensorIndex) BasicIndex(TensorIndex[] indices, SliceTrace? trace = null)
    {
        int consumed = 0, ellipses = 0, tensorCount = 0;
        foreach (var ix in indices)
        {
            if (ix.Type == SharpGrad.TensorIndex.Kind.Ellipsis) ellipses++;
            else if (ix.Type == SharpGrad.TensorIndex.Kind.Tensor)
            {
                tensorCount++;
                Tensor t = ix.Indices!;
                consumed += t.DType == DType.Bool ? Math.Max(t.NDim, 1) : 1;
            }
            else if (ix.Type != SharpGrad.TensorIndex.Kind.NewAxis) consumed++;
        }
        if (ellipses > 1) throw new ArgumentException("Indexing: at most one Ellipsis is allowed.");
        if (tensorCount > 1) throw new NotSupportedException("Indexing: only one index tensor or mask per indexing expression is supported; index in two steps.");
        if (consumed > NDim) throw new IndexOutOfRangeException($"Indexing: too many indices ({consumed}) for a tensor of shape {Shape} ({NDim} dims).");

        var sizes = new List<int>();
        var strides = new List<int>();
        int offset = Offset, dim = 0, tensorDim = -1;
        Tensor? tensorIndex = null;
        foreach (var ix in indices)
        {
            switch (ix.Type)
            {
                case SharpGrad.TensorIndex.Kind.Ellipsis:
                    for (int k = 0; k < NDim - consumed; k++, dim++) { sizes.Add(Sizes[dim]); strides.Add(Strides[dim]); }
                    break;
                case SharpGrad.TensorIndex.Kind.NewAxis:
                    trace?.NewAxes.Add(sizes.Count);
                    sizes.Add(1);
                    strides.Add(0);
                    break;
                case SharpGrad.TensorIndex.Kind.Single:
                {
                    int size = Sizes[dim];
                    int i = ix.Point.IsFromEnd ? size - ix.Point.Value : ix.Point.Value;
                    if (i < 0 || i >= size)
                        throw new IndexOutOfRangeException($"Index {ix.Point} is out of range for dim {dim} with size {size} (tensor of shape {Shape}).");
                    offset += i * Strides[dim];
                    if (trace is not null)
                    {
                        trace.Axes.Add(dim); trace.Starts.Add(i); trace.Ends.Add(i + 1); trace.Steps.Add(1); trace.Squeezed.Add(dim);
                    }
                    dim++;
                    break;
                }
                case SharpGrad.TensorIndex.Kind.Slice:
                {
                    int size = Sizes[dim];
                    int start = ix.Start is Index s ? Math.Clamp(s.IsFromEnd ? size - s.Value : s.Value, 0, size) : 0;
                    int stop = ix.Stop is Index e ? Math.Clamp(e.IsFromEnd ? size - e.Value : e.Value, 0, size) : size;
                    int len = stop > start ? (stop - start + ix.Step - 1) / ix.Step : 0;
                    if (len > 0) offset += start * Strides[dim];
                    if (trace is not null && (start != 0 || stop != size || ix.Step != 1))
                    {
                        trace.Axes.Add(dim); trace.Starts.Add(start); trace.Ends.Add(Math.Max(start, stop)); trace.Steps.Add(ix.Step);
                    }
                    sizes.Add(len);
                    strides.Add(Strides[dim] * ix.Step);
                    dim++;
                    break;
                }
                case SharpGrad.TensorIndex.Kind.Tensor:
                {
                    Tensor t = ix.Indices!;
                    tensorDim = sizes.Count;
                    tensorIndex = t;
                    int span = t.DType == DType.Bool ? Math.Max(t.NDim, 1) : 1;
                    if (t.DType == DType.Bool)
                        for (int k = 0; k < t.NDim; k++)
                            if (t.Sizes[k] != Sizes[dim + k])
                                throw new IndexOutOfRangeException($"Indexing: the mask of shape {t.Shape} does not match the indexed tensor's shape {Shape} at dim {dim + k}.");
                    for (int k = 0; k < span; k++, dim++) { sizes.Add(Sizes[dim]); strides.Add(Strides[dim]); }
                    break;
                }
            }
        }
        for (; dim < NDim; dim++) { sizes.Add(Sizes[dim]); strides.Add(Strides[dim]); }
        return (sizes.ToArray(), strides.ToArray(), offset, tensorDim, tensorIndex);
    }

    private Tensor Index(TensorIndex[] indices)
    {
        SliceTrace? trace = OpTrace.IsActive ? new SliceTrace() : null;
        var (sizes, strides, offset, tensorDim, tensorIndex) = BasicIndex(indices, trace);
        Tensor x = this;
        Tensor view = Record(new Tensor(Storage, sizes, strides, offset, DType), OpKind.Slice, x, g =>
        {
            Tensor z = Zeros(x.Sizes);
            var (zs, zst, zo, _, _) = z.BasicIndex(indices);
            new Tensor(z.Storage, zs, zst, zo, DType.Float32).CopyFrom(g);
            return z;
        }, trace?.ToAttributes());
        if (tensorIndex is null) return view;
        if (tensorIndex.DType == DType.Bool) return view.MaskSelect(tensorDim, tensorIndex);
        if (tensorIndex.DType != DType.Int64)
            throw new ArgumentException($"Indexing: an index tensor must be int64 or bool, got {tensorIndex.DType.TorchName()}.");
        // One int64 index of any shape at dim d: its dims replace d.
        Tensor picked = view.IndexSelect(tensorDim, tensorIndex.Reshape(-1));
        var shape = new List<int>(view.Sizes[..tensorDim]);
        shape.AddRange(tensorIndex.Sizes);
        shape.AddRange(view.Sizes[(tensorDim + 1)..]);
        return picked.Reshape(shape.ToArray());
    }

    /// <summary>Positions (flattened over the mask's dims) where a bool mask is true.</summary>
    private static Tensor MaskPositions(Tensor mask)
    {
        ReadOnlySpan<bool> m = mask.Contiguous().Contents<bool>();
        var positions = new List<long>();
        for (int i = 0; i < m.Length; i++) if (m[i]) positions.Add(i);
        Tensor r = From(positions.ToArray());
        OpTrace.Report(OpKind.MaskPositions, r, [mask]); // data-dependent: a tracer must not freeze it as a constant
        return r;
    }

    private Tensor MaskSelect(int dim, Tensor mask)
    {
        int span = Math.Max(mask.NDim, 1);
        var shape = new List<int>(Sizes[..dim]) { -1 };
        shape.AddRange(Sizes[(dim + span)..]);
        Tensor flat = mask.NDim == 0 ? Unsqueeze(dim) : Reshape(shape.ToArray());
        return flat.IndexSelect(dim, MaskPositions(mask));
    }

    private void IndexPut(TensorIndex[] indices, Tensor value)
    {
        if (GradMode.IsEnabled && RequiresGradient)
            throw new InvalidOperationException("Assigning into a tensor that requires grad is not recorded by autograd; do it inside Tensor.NoGrad(), or on Detach() / Data.");
        var (sizes, strides, offset, tensorDim, tensorIndex) = BasicIndex(indices);
        var view = new Tensor(Storage, sizes, strides, offset, DType);
        if (tensorIndex is null)
        {
            view.CopyFrom(value);
            return;
        }
        int span = tensorIndex.DType == DType.Bool ? Math.Max(tensorIndex.NDim, 1) : 1;
        Tensor positions = tensorIndex.DType == DType.Bool ? MaskPositions(tensorIndex) : tensorIndex.Reshape(-1);
        if (positions.DType != DType.Int64)
            throw new ArgumentException($"Indexing: an index tensor must be int64 or bool, got {tensorIndex.DType.TorchName()}.");
        int[] indexedSizes = sizes[tensorDim..(tensorDim + span)];
        var target = new List<int>(sizes[..tensorDim]) { positions.Numel };
        target.AddRange(sizes[(tensorDim + span)..]);
        Tensor v = value.DType == DType ? value : value.To(DType);
        int[] vShape = ShapeMath.Broadcast(v.Sizes, target.ToArray(), "IndexPut");
        if (!vShape.AsSpan().SequenceEqual(target.ToArray()))
            throw new ArgumentException($"IndexPut: a value of shape {v.Shape} does not fit the {Shape.Format(target.ToArray())} selected elements.");
        Tensor src = Materialize(v.Detach(), vShape);
        ReadOnlySpan<long> pos = positions.Contiguous().Contents<long>();
        int count = ShapeMath.Numel(indexedSizes);
        var rest = new List<int>(sizes[..tensorDim]);
        rest.AddRange(sizes[(tensorDim + span)..]);
        var restStrides = new List<int>(strides[..tensorDim]);
        restStrides.AddRange(strides[(tensorDim + span)..]);
        int[] indexedStrides = strides[tensorDim..(tensorDim + span)];
        for (int p = 0; p < pos.Length; p++)
        {
            long flat = pos[p] < 0 ? pos[p] + count : pos[p];
            if (flat < 0 || flat >= count)
                throw new IndexOutOfRangeException($"Index {pos[p]} is out of range for dim {tensorDim} with size {count}.");
            int o = offset;
            for (int k = span - 1; k >= 0; k--)
            {
                o += (int)(flat % indexedSizes[k]) * indexedStrides[k];
                flat /= indexedSizes[k];
            }
            var dst = new Tensor(Storage, rest.ToArray(), restStrides.ToArray(), o, DType);
            dst.CopyFrom(src.Detach().SelectView(tensorDim, p));
        }
    }

    private Tensor SelectView(int dim, int index)
    {
        var sizes = new List<int>(Sizes);
        var strides = new List<int>(Strides);
        sizes.RemoveAt(dim);
        strides.RemoveAt(dim);
        return new Tensor(Storage, sizes.ToArray(), strides.ToArray(), Offset + index * Strides[dim], DType);
    }
}
