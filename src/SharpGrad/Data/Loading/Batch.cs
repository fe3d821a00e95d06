namespace SharpGrad.Data;

/// <summary>One mini-batch: inputs <see cref="X"/> and targets <see cref="Y"/> (null for a dataset of inputs only). Deconstructs as <c>var (xb, yb) = batch</c>.</summary>
public sealed class Batch(Tensor x, Tensor? y)
{
    /// <summary>The inputs, batch dimension first.</summary>
    public Tensor X { get; } = x;

    /// <summary>The targets, batch dimension first; null when the dataset has no targets.</summary>
    public Tensor? Y { get; } = y;

    /// <summary>How many items the batch holds.</summary>
    public int Count => X.Size(0);

    /// <summary>Splits into inputs and targets.</summary>
    public void Deconstruct(out Tensor x, out Tensor? y)
    {
        x = X;
        y = Y;
    }

    /// <summary>The shapes, e.g. <c>Batch(X: [256, 784], Y: [256, 1])</c>.</summary>
    public override string ToString() => $"Batch(X: {X.Shape}, Y: {(Y is null ? "none" : Y.Shape.ToString())})";
}
