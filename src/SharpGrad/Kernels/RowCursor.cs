namespace SharpGrad.Kernels;

/// <summary>
/// Walks the rows (all dims but the last) of up to three strided operands of one shape, keeping each operand's
/// offset of the current row. Kernels loop over <see cref="Rows"/> rows and call <see cref="Advance"/> after each.
/// </summary>
internal struct RowCursor
{
    private readonly int[] _sizes;
    private readonly int[] _sa, _sb, _sc;
    private readonly int[] _index;

    /// <summary>Offsets of the current row in each operand.</summary>
    public int A, B, C;

    /// <summary>Starts at row 0 of a shape (rank ≥ 1; the last dim is the row) seen through three operands' strides and offsets (pass any operand twice when fewer are needed).</summary>
    public RowCursor(int[] sizes, int[] sa, int offA, int[] sb, int offB, int[] sc, int offC)
    {
        _sizes = sizes;
        _sa = sa;
        _sb = sb;
        _sc = sc;
        _index = new int[Math.Max(sizes.Length - 1, 0)];
        A = offA;
        B = offB;
        C = offC;
        long rows = 1;
        for (int d = 0; d < sizes.Length - 1; d++) rows *= sizes[d];
        Rows = (int)rows;
    }

    /// <summary>Number of rows.</summary>
    public readonly int Rows { get; }

    /// <summary>Moves to the next row (odometer order).</summary>
    public void Advance()
    {
        for (int d = _index.Length - 1; d >= 0; d--)
        {
            A += _sa[d];
            B += _sb[d];
            C += _sc[d];
            if (++_index[d] < _sizes[d]) return;
            A -= _sa[d] * _sizes[d];
            B -= _sb[d] * _sizes[d];
            C -= _sc[d] * _sizes[d];
            _index[d] = 0;
        }
    }

    /// <summary>
    /// Merges adjacent dims that every operand walks contiguously, so the rows are as long as possible.
    /// Returns the reduced sizes and strides (rank ≥ 1).
    /// </summary>
    public static (int[] Sizes, int[][] Strides) Coalesce(ReadOnlySpan<int> sizes, params int[][] strides)
    {
        var outSizes = new List<int>(sizes.Length + 1);
        var outStrides = new List<int>[strides.Length];
        for (int k = 0; k < strides.Length; k++) outStrides[k] = new List<int>(sizes.Length + 1);
        for (int d = 0; d < sizes.Length; d++)
        {
            if (sizes[d] == 1) continue;
            int last = outSizes.Count - 1;
            bool merge = last >= 0;
            for (int k = 0; k < strides.Length && merge; k++)
                merge = outStrides[k][last] == strides[k][d] * sizes[d];
            if (merge)
            {
                outSizes[last] *= sizes[d];
                for (int k = 0; k < strides.Length; k++) outStrides[k][last] = strides[k][d];
            }
            else
            {
                outSizes.Add(sizes[d]);
                for (int k = 0; k < strides.Length; k++) outStrides[k].Add(strides[k][d]);
            }
        }
        if (outSizes.Count == 0)
        {
            outSizes.Add(1);
            for (int k = 0; k < strides.Length; k++) outStrides[k].Add(1);
        }
        var result = new int[strides.Length][];
        for (int k = 0; k < strides.Length; k++) result[k] = outStrides[k].ToArray();
        return (outSizes.ToArray(), result);
    }
}
