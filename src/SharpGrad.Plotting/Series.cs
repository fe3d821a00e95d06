namespace SharpGrad.Plotting;

/// <summary>
/// One named line for <see cref="Plots.Lines"/>: the points (<see cref="X"/>[i], <see cref="Y"/>[i]) joined in order.
/// A point whose X or Y is NaN or infinite is left out and breaks the line there.
/// </summary>
/// <param name="Label">Legend text (the legend is shown when more than one series is plotted; an empty label is left out of it).</param>
/// <param name="X">X coordinates; as many as <paramref name="Y"/>.</param>
/// <param name="Y">Y coordinates; as many as <paramref name="X"/>.</param>
public sealed record Series(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y);
