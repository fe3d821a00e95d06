namespace SharpGrad;

/// <summary>
/// One entry of a tensor index: an integer (<c>t[1]</c>, <c>t[^1]</c>), a range (<c>t[1..3]</c>, <c>t[..]</c>), a
/// stepped slice (<see cref="Slice"/>), <see cref="Ellipsis"/>, <see cref="NewAxis"/>, or an int64 index / bool mask tensor.
/// Converts implicitly from <see cref="int"/>, <see cref="Index"/>, <see cref="Range"/> and <see cref="Tensor"/>.
/// </summary>
public readonly struct TensorIndex
{
    internal enum Kind { Single, Slice, Ellipsis, NewAxis, Tensor }

    internal Kind Type { get; }
    internal Index Point { get; }
    internal Index? Start { get; }
    internal Index? Stop { get; }
    internal int Step { get; }
    internal Tensor? Indices { get; }

    private TensorIndex(Kind type, Index point = default, Index? start = null, Index? stop = null, int step = 1, Tensor? indices = null)
    {
        Type = type;
        Point = point;
        Start = start;
        Stop = stop;
        Step = step;
        Indices = indices;
    }

    /// <summary>Stands for as many full slices as needed (Python's <c>...</c>).</summary>
    public static TensorIndex Ellipsis { get; } = new(Kind.Ellipsis);

    /// <summary>Inserts a dimension of size 1 (Python's <c>None</c>).</summary>
    public static TensorIndex NewAxis { get; } = new(Kind.NewAxis);

    /// <summary>A slice with a step, like Python's <c>start:stop:step</c>; null bounds mean the ends.</summary>
    public static TensorIndex Slice(int? start = null, int? stop = null, int step = 1)
    {
        if (step <= 0) throw new ArgumentException($"Slice: step must be positive, got {step}.");
        return new(Kind.Slice, start: start is int s ? ToIndex(s) : null, stop: stop is int e ? ToIndex(e) : null, step: step);
    }

    private static Index ToIndex(int i) => i < 0 ? Index.FromEnd(-i) : Index.FromStart(i);

    /// <summary>Selects one position (negative counts from the end).</summary>
    public static implicit operator TensorIndex(int i) => new(Kind.Single, ToIndex(i));

    /// <summary>Selects one position, e.g. <c>^1</c> for the last.</summary>
    public static implicit operator TensorIndex(Index i) => new(Kind.Single, i);

    /// <summary>A slice, e.g. <c>1..3</c> or <c>..</c>.</summary>
    public static implicit operator TensorIndex(Range r) => new(Kind.Slice, start: r.Start, stop: r.End, step: 1);

    /// <summary>An int64 index tensor or a bool mask.</summary>
    public static implicit operator TensorIndex(Tensor t) => new(Kind.Tensor, indices: t);

    /// <inheritdoc/>
    public override string ToString() => Type switch
    {
        Kind.Single => Point.ToString(),
        Kind.Slice => $"{Start}..{Stop}" + (Step != 1 ? $":{Step}" : ""),
        Kind.Ellipsis => "...",
        Kind.NewAxis => "NewAxis",
        _ => $"tensor{Indices!.Shape}",
    };
}
