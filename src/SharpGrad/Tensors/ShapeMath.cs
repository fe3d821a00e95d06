namespace SharpGrad;

/// <summary>Shape arithmetic shared by the tensor ops: strides, broadcasting, dim normalisation.</summary>
internal static class ShapeMath
{
    public static int Numel(ReadOnlySpan<int> sizes)
    {
        long n = 1;
        foreach (int s in sizes) n *= s;
        if (n > Array.MaxLength) throw new ArgumentException($"A tensor of shape {Shape.Format(sizes)} has {n} elements, more than one array can hold ({Array.MaxLength}).");
        return (int)n;
    }

    public static void CheckSizes(ReadOnlySpan<int> sizes)
    {
        for (int d = 0; d < sizes.Length; d++)
            if (sizes[d] < 0) throw new ArgumentException($"Negative size {sizes[d]} in dim {d} of shape {Shape.Format(sizes)}.");
    }

    public static int[] ContiguousStrides(ReadOnlySpan<int> sizes)
    {
        var strides = new int[sizes.Length];
        int s = 1;
        for (int d = sizes.Length - 1; d >= 0; d--)
        {
            strides[d] = s;
            s *= Math.Max(sizes[d], 1);
        }
        return strides;
    }

    public static bool IsContiguous(ReadOnlySpan<int> sizes, ReadOnlySpan<int> strides)
    {
        int expected = 1;
        for (int d = sizes.Length - 1; d >= 0; d--)
        {
            if (sizes[d] == 0) return true;
            if (sizes[d] != 1 && strides[d] != expected) return false;
            expected *= sizes[d];
        }
        return true;
    }

    public static int NormalizeDim(int dim, int ndim, string op)
    {
        int n = Math.Max(ndim, 1);
        int d = dim < 0 ? dim + n : dim;
        if (d < 0 || d >= n)
            throw new ArgumentOutOfRangeException(nameof(dim), $"{op}: dimension {dim} is out of range for a tensor with {ndim} dims (expected {-n}..{n - 1}).");
        return d;
    }

    /// <summary>The broadcast shape of two shapes (NumPy rules), or a clear error naming the op and both shapes.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string op)
    {
        int n = Math.Max(a.Length, b.Length);
        var r = new int[n];
        for (int i = 0; i < n; i++)
        {
            int da = i < n - a.Length ? 1 : a[i - (n - a.Length)];
            int db = i < n - b.Length ? 1 : b[i - (n - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: shapes {Shape.Format(a)} and {Shape.Format(b)} cannot be broadcast together (dim {i}: {da} vs {db}).");
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    /// <summary>Strides that view a tensor of <paramref name="sizes"/>/<paramref name="strides"/> as <paramref name="target"/> (0 on broadcast dims).</summary>
    public static int[] BroadcastStrides(ReadOnlySpan<int> sizes, ReadOnlySpan<int> strides, ReadOnlySpan<int> target)
    {
        var r = new int[target.Length];
        int lead = target.Length - sizes.Length;
        for (int i = 0; i < sizes.Length; i++)
            r[lead + i] = sizes[i] == 1 && target[lead + i] != 1 ? 0 : strides[i];
        return r;
    }
}
