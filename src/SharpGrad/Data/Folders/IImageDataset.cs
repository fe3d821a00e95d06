namespace SharpGrad.Data;

/// <summary>What every image dataset tells about its items: their size and channels as batched, files, labels and classes.</summary>
public interface IImageDataset
{
    /// <summary>Height of each batch item in pixels.</summary>
    int Height { get; }

    /// <summary>Width of each batch item in pixels.</summary>
    int Width { get; }

    /// <summary>Channels of each batch item: 1 (grayscale) or 3 (RGB).</summary>
    int Channels { get; }

    /// <summary>The file each item came from.</summary>
    IReadOnlyList<string> Files { get; }

    /// <summary>The label index of each item.</summary>
    IReadOnlyList<long> Labels { get; }

    /// <summary>Class names in label order.</summary>
    IReadOnlyList<string> Vocab { get; }

    /// <summary>The item transform applied after decoding, or null when images are batched as decoded.</summary>
    ItemTransform? ItemTransform { get; }
}
