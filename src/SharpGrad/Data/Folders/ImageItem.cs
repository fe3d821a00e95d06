namespace SharpGrad.Data;

/// <summary>One image file and its label (the name of its parent folder, or a CSV's label column).</summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Label">Its class name.</param>
public sealed record ImageItem(string Path, string Label);
