using System.Numerics.Tensors;

namespace SharpGrad.Data;

/// <summary>
/// Decoded images held as one uint8 block <c>[N, H, W, C]</c> with int64 labels; a batch is float <c>[B, channels, H, W]</c>
/// in 0..1 (pixel / 255, as <c>ToTensor</c> and fastai's <c>IntToFloatTensor</c> give), grayscale replicated to three
/// channels when <see cref="Channels"/> is 3 (fastai's <c>from_folder</c> opens every image as RGB).
/// </summary>
public sealed class ImageDataset : Dataset, IImageDataset
{
    private readonly byte[] _pixels;

    internal ImageDataset(byte[] pixels, int height, int width, int storedChannels, int channels, long[] labels, IReadOnlyList<string> files, IReadOnlyList<string> vocab)
    {
        if (storedChannels > channels) throw new ArgumentException("Internal error: RGB images must be converted to grayscale when decoded.");
        _pixels = pixels;
        Height = height;
        Width = width;
        StoredChannels = storedChannels;
        Channels = channels;
        Labels = labels;
        Files = files;
        Vocab = vocab;
    }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Channels of each batch item: 1 (grayscale) or 3 (RGB).</summary>
    public int Channels { get; }

    /// <summary>Channels held in memory: 1 when every image was grayscale (or <see cref="Channels"/> is 1), else 3.</summary>
    internal int StoredChannels { get; }

    /// <summary>The label index of each item.</summary>
    public IReadOnlyList<long> Labels { get; }

    /// <summary>The file each item came from.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Class names in label order.</summary>
    public IReadOnlyList<string> Vocab { get; }

    /// <inheritdoc/>
    public override int Count => Labels.Count;

    /// <summary>Always null: these images are batched as decoded (see <see cref="ImageFileDataset"/> for item transforms).</summary>
    public ItemTransform? ItemTransform => null;

    /// <inheritdoc/>
    public override (Tensor X, Tensor? Y) this[int index]
    {
        get
        {
            Batch b = Collate([index]);
            return (b.X[0], b.Y![0]);
        }
    }

    /// <summary>Item <paramref name="index"/> as uint8 pixels <c>[H, W]</c> (grayscale) or <c>[H, W, 3]</c>, as PIL's image becomes a tensor.</summary>
    public Tensor Pixels(int index)
    {
        CheckIndex(index);
        int size = Height * Width * StoredChannels;
        byte[] copy = _pixels.AsSpan(index * size, size).ToArray();
        return StoredChannels == 1 ? Tensor.From(copy, [Height, Width]) : Tensor.From(copy, [Height, Width, 3]);
    }

    /// <inheritdoc/>
    internal override bool CollatesFreshInputs => true;

    /// <inheritdoc/>
    public override Batch Collate(ReadOnlySpan<int> indices)
    {
        foreach (int i in indices) CheckIndex(i);
        int plane = Height * Width, size = plane * StoredChannels;
        Tensor x = Tensor.Empty([indices.Length, Channels, Height, Width]);
        var y = new long[indices.Length];
        Span<float> dst = x.Contents<float>();
        Span<float> scratch = stackalloc float[0];
        float[]? rented = null;
        if (StoredChannels == 3) { rented = System.Buffers.ArrayPool<float>.Shared.Rent(size); scratch = rented.AsSpan(0, size); }
        try
        {
            for (int k = 0; k < indices.Length; k++)
            {
                int i = indices[k];
                y[k] = Labels[i];
                ReadOnlySpan<byte> src = _pixels.AsSpan(i * size, size);
                Span<float> item = dst.Slice(k * Channels * plane, Channels * plane);
                if (StoredChannels == 1)
                {
                    Span<float> first = item[..plane];
                    ToUnit(src, first);
                    for (int c = 1; c < Channels; c++) first.CopyTo(item.Slice(c * plane, plane));
                }
                else
                {
                    ToUnit(src, scratch);
                    for (int p = 0; p < plane; p++)
                    {
                        item[p] = scratch[3 * p];
                        item[plane + p] = scratch[3 * p + 1];
                        item[2 * plane + p] = scratch[3 * p + 2];
                    }
                }
            }
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<float>.Shared.Return(rented);
        }
        return new Batch(x, Tensor.From(y));
    }

    /// <summary>dst = src / 255, exactly as <c>tensor.float() / 255</c> rounds.</summary>
    private static void ToUnit(ReadOnlySpan<byte> src, Span<float> dst)
    {
        TensorPrimitives.ConvertChecked(src, dst);
        TensorPrimitives.Divide(dst, 255f, dst);
    }
}
