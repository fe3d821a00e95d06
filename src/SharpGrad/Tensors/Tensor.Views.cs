namespace SharpGrad;

public sealed partial class Tensor
{
    /// <summary>A view of the same storage with other sizes/strides, recorded with <paramref name="backward"/>.</summary>
    private Tensor AsView(int[] sizes, int[] strides, int offset, OpKind op, Func<Tensor, Tensor> backward, object? attributes = null) =>
        Record(new Tensor(Storage, sizes, strides, offset, DType), op, this, backward, attributes);

    private int[] InferShape(ReadOnlySpan<int> shape, string op)
    {
        int[] sizes = shape.ToArray();
        int infer = -1;
        long known = 1;
        for (int d = 0; d < sizes.Length; d++)
        {
            if (sizes[d] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"{op}: only one dimension can be -1, got {Shape.Format(sizes)}.");
                infer = d;
            }
            else if (sizes[d] < 0) throw new ArgumentException($"{op}: invalid size {sizes[d]} in {Shape.Format(sizes)}.");
            else known *= sizes[d];
        }
        if (infer >= 0)
        {
            if (known == 0 || Numel % known != 0)
                throw new ArgumentException($"{op}: shape {Shape.Format(sizes)} is invalid for a tensor of shape {Shape} ({Numel} elements).");
            sizes[infer] = (int)(Numel / known);
        }
        else if (known != Numel)
        {
            throw new ArgumentException($"{op}: shape {Shape.Format(sizes)} is invalid for a tensor of shape {Shape} ({Numel} elements).");
        }
        return sizes;
    }

    /// <summary>The same elements seen with another shape, sharing storage; one size may be -1. Needs a contiguous tensor (else use <see cref="Reshape"/>).</summary>
    public Tensor View(params ReadOnlySpan<int> shape)
    {
        int[] sizes = InferShape(shape, "View");
        if (!IsContiguous)
            throw new InvalidOperationException($"View: the tensor of shape {Shape} is not contiguous, so it cannot be viewed as {Shape.Format(sizes)}. Use Reshape(...) instead.");
        int[] inSizes = Sizes;
        return AsView(sizes, ShapeMath.ContiguousStrides(sizes), Offset, OpKind.View, g => g.Reshape(inSizes));
    }

    /// <summary>The same elements with another shape (one size may be -1): a view when possible, else a copy.</summary>
    public Tensor Reshape(params ReadOnlySpan<int> shape) => Contiguous().View(shape);

    /// <summary>Swaps two dimensions (a view).</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        int a = ShapeMath.NormalizeDim(dim0, NDim, "Transpose"), b = ShapeMath.NormalizeDim(dim1, NDim, "Transpose");
        if (NDim == 0) return AsView([], [], Offset, OpKind.Transpose, g => g, OpTrace.IsActive ? new OpAttributes.Permute([]) : null);
        int[] sizes = (int[])Sizes.Clone(), strides = (int[])Strides.Clone();
        (sizes[a], sizes[b]) = (sizes[b], sizes[a]);
        (strides[a], strides[b]) = (strides[b], strides[a]);
        object? perm = null;
        if (OpTrace.IsActive)
        {
            int[] p = Enumerable.Range(0, NDim).ToArray();
            (p[a], p[b]) = (p[b], p[a]);
            perm = new OpAttributes.Permute(p);
        }
        return AsView(sizes, strides, Offset, OpKind.Transpose, g => g.Transpose(a, b), perm);
    }

    /// <summary>Reorders the dimensions (a view): result dim i is this tensor's dim <c>dims[i]</c>.</summary>
    public Tensor Permute(params ReadOnlySpan<int> dims)
    {
        if (dims.Length != NDim)
            throw new ArgumentException($"Permute: got {dims.Length} dims for a tensor with {NDim} dims (shape {Shape}).");
        var perm = new int[NDim];
        var inverse = new int[NDim];
        var seen = new bool[NDim];
        int[] sizes = new int[NDim], strides = new int[NDim];
        for (int i = 0; i < NDim; i++)
        {
            int d = ShapeMath.NormalizeDim(dims[i], NDim, "Permute");
            if (seen[d]) throw new ArgumentException($"Permute: dim {d} appears twice in {Shape.Format(dims)}.");
            seen[d] = true;
            perm[i] = d;
            inverse[d] = i;
            sizes[i] = Sizes[d];
            strides[i] = Strides[d];
        }
        return AsView(sizes, strides, Offset, OpKind.Permute, g => g.Permute(inverse), OpTrace.IsActive ? new OpAttributes.Permute(perm) : null);
    }

    /// <summary>The transpose: dims reversed (for a matrix, rows and columns swapped), as PyTorch's <c>.T</c>.</summary>
    public Tensor T
    {
        get
        {
            var dims = new int[NDim];
            for (int i = 0; i < NDim; i++) dims[i] = NDim - 1 - i;
            return Permute(dims);
        }
    }

    /// <summary>Inserts a dimension of size 1 at <paramref name="dim"/> (a view).</summary>
    public Tensor Unsqueeze(int dim)
    {
        int d = ShapeMath.NormalizeDim(dim, NDim + 1, "Unsqueeze");
        var sizes = new List<int>(Sizes);
        var strides = new List<int>(Strides);
        sizes.Insert(d, 1);
        strides.Insert(d, d < NDim ? Strides[d] * Sizes[d] : 1);
        int[] inSizes = Sizes;
        return AsView(sizes.ToArray(), strides.ToArray(), Offset, OpKind.Unsqueeze, g => g.Reshape(inSizes), OpTrace.IsActive ? new OpAttributes.Axes([d]) : null);
    }

    /// <summary>Removes dimension <paramref name="dim"/> if its size is 1, or every size-1 dimension when <paramref name="dim"/> is null (a view).</summary>
    public Tensor Squeeze(int? dim = null)
    {
        var sizes = new List<int>();
        var strides = new List<int>();
        var dropped = new List<int>();
        int only = dim is int dd ? ShapeMath.NormalizeDim(dd, NDim, "Squeeze") : -1;
        for (int d = 0; d < NDim; d++)
        {
            bool drop = Sizes[d] == 1 && (only < 0 || only == d);
            if (drop)
            {
                dropped.Add(d);
                continue;
            }
            sizes.Add(Sizes[d]);
            strides.Add(Strides[d]);
        }
        int[] inSizes = Sizes;
        return AsView(sizes.ToArray(), strides.ToArray(), Offset, OpKind.Squeeze, g => g.Reshape(inSizes), OpTrace.IsActive ? new OpAttributes.Axes(dropped.ToArray()) : null);
    }

    /// <summary>Merges dims <paramref name="startDim"/>..<paramref name="endDim"/> into one.</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (NDim == 0) return Reshape(1);
        int s = ShapeMath.NormalizeDim(startDim, NDim, "Flatten"), e = ShapeMath.NormalizeDim(endDim, NDim, "Flatten");
        if (s > e) throw new ArgumentException($"Flatten: startDim {startDim} comes after endDim {endDim}.");
        var sizes = new List<int>();
        for (int d = 0; d < s; d++) sizes.Add(Sizes[d]);
        int merged = 1;
        for (int d = s; d <= e; d++) merged *= Sizes[d];
        sizes.Add(merged);
        for (int d = e + 1; d < NDim; d++) sizes.Add(Sizes[d]);
        return Reshape(sizes.ToArray());
    }

    /// <summary>Repeats size-1 dims (and prepends new ones) to <paramref name="shape"/> without copying; -1 keeps a size.</summary>
    public Tensor Expand(params ReadOnlySpan<int> shape)
    {
        if (shape.Length < NDim)
            throw new ArgumentException($"Expand: the target {Shape.Format(shape)} has fewer dims than the tensor's shape {Shape}.");
        int lead = shape.Length - NDim;
        int[] sizes = new int[shape.Length], strides = new int[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            int want = shape[i];
            if (i < lead)
            {
                if (want < 0) throw new ArgumentException($"Expand: -1 is not allowed for a new leading dim ({Shape.Format(shape)}).");
                sizes[i] = want;
                strides[i] = 0;
                continue;
            }
            int have = Sizes[i - lead];
            if (want == -1 || want == have)
            {
                sizes[i] = have;
                strides[i] = Strides[i - lead];
            }
            else if (have == 1)
            {
                sizes[i] = want;
                strides[i] = 0;
            }
            else
            {
                throw new ArgumentException($"Expand: the tensor of shape {Shape} cannot be expanded to {Shape.Format(shape)} (dim {i}: {have} is not 1).");
            }
        }
        int[] inSizes = Sizes;
        return AsView(sizes, strides, Offset, OpKind.Expand, g => g.SumToShape(inSizes));
    }

    /// <summary>Expands to the shape of <paramref name="other"/>.</summary>
    public Tensor ExpandAs(Tensor other) => Expand(other.Sizes);
}
