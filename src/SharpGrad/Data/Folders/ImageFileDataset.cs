using System.Runtime.CompilerServices;
using SharpGrad.Data.Images;

namespace SharpGrad.Data;

/// <summary>
/// Images decoded from their files when a batch is drawn and passed through an <see cref="ItemTransform"/> (fastai's
/// <c>item_tfms</c>), so they may have any size and a training set gets new random crops every epoch. The items of a
/// batch decode in parallel on all cores. A batch is float <c>[B, channels, H, W]</c> in 0..1. Randomness is seeded:
/// item i in a loader's batch b of pass p uses a generator derived from (seed, p, b, i), so runs repeat whatever the
/// thread count, and a resumed run draws what the interrupted one would have.
/// <para>
/// Speed: each item's buffers come from a <see cref="PixelArena"/>, a batch transform may overwrite a batch collated
/// here, and the resampling, upsampling and augmentation kernels are marked <c>AggressiveOptimization</c> (without
/// it the augmentation ran at half speed for the first ~250 images, in the JIT's unoptimised tier; docs/benchmarks.md).
/// </para>
/// </summary>
public sealed class ImageFileDataset : Dataset, IImageDataset
{
    private readonly long[] _labels;
    private readonly ulong _seed;
    private long _draws;

    internal ImageFileDataset(IReadOnlyList<string> files, long[] labels, IReadOnlyList<string> vocab, int channels, ItemTransform transform, bool training, ulong seed)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 (grayscale) or 3 (RGB).");
        Files = files;
        _labels = labels;
        Vocab = vocab;
        Channels = channels;
        ItemTransform = transform ?? throw new ArgumentNullException(nameof(transform));
        Training = training;
        _seed = seed;
    }

    /// <inheritdoc/>
    public int Height => ItemTransform.Height;

    /// <inheritdoc/>
    public int Width => ItemTransform.Width;

    /// <inheritdoc/>
    public int Channels { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> Files { get; }

    /// <inheritdoc/>
    public IReadOnlyList<long> Labels => _labels;

    /// <inheritdoc/>
    public IReadOnlyList<string> Vocab { get; }

    /// <summary>The transform every decoded image goes through.</summary>
    public ItemTransform ItemTransform { get; }

    /// <summary>Whether the transform runs in its random training form.</summary>
    public bool Training { get; }

    /// <inheritdoc/>
    public override int Count => _labels.Length;

    /// <inheritdoc/>
    public override (Tensor X, Tensor? Y) this[int index]
    {
        get
        {
            Batch b = Collate([index]);
            return (b.X[0], b.Y![0]);
        }
    }

    /// <summary>Item <paramref name="index"/> decoded upright and converted to <see cref="Channels"/>, before the transform.</summary>
    /// <exception cref="ImageDecodeException">The file is not a readable image; the message names it.</exception>
    public Image Decode(int index)
    {
        CheckIndex(index);
        string file = Files[index];
        Image image = DecodeFile(file);
        return Channels == 1 && image.Channels == 3 ? image.ToGray() : image;
    }

    /// <summary>Reads and decodes one file through a pooled buffer (photos are often larger than the large-object threshold).</summary>
    private static Image DecodeFile(string file)
    {
        using Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(file);
        long length = RandomAccess.GetLength(handle);
        if (length > Array.MaxLength) throw new ImageDecodeException(file, $"the file is {length} bytes, over the {Array.MaxLength}-byte limit of one image");
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            int read = 0, n;
            while (read < length && (n = RandomAccess.Read(handle, buffer.AsSpan(read, (int)length - read), read)) > 0) read += n;
            return ImageDecoder.DecodeUpright(buffer.AsSpan(0, read), file);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Item <paramref name="index"/> after the transform, as the model sees it (before scaling to 0..1).</summary>
    public Image Transformed(int index, Generator random)
    {
        Image image = Decode(index);
        try
        {
            image = ItemTransform.Apply(image, Training, random);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{Files[index]}: {ItemTransform} cannot be applied to this {image.Width}x{image.Height} image: {e.Message}", e);
        }
        if (image.Width != Width || image.Height != Height)
            throw new InvalidOperationException($"{Files[index]}: {ItemTransform} gave a {image.Width}x{image.Height} image instead of {Width}x{Height}.");
        return Channels == 3 && image.Channels == 1 ? image.ToRgb() : image;
    }

    /// <inheritdoc/>
    internal override bool CollatesFreshInputs => true;

    /// <inheritdoc/>
    public override Batch Collate(ReadOnlySpan<int> indices) => Collate(indices, (ulong)Interlocked.Increment(ref _draws) | 1UL << 63);

    /// <inheritdoc/>
    internal override Batch Collate(ReadOnlySpan<int> indices, ulong draw)
    {
        foreach (int i in indices) CheckIndex(i);
        int[] items = indices.ToArray();
        int plane = Height * Width, size = Channels * plane;
        Tensor x = Tensor.Uninitialized([items.Length, Channels, Height, Width]); // every element is written below
        float[] dst = (float[])x.Storage;
        int offset = x.Offset;
        var y = new long[items.Length];
        bool builtIn = ItemTransform.GetType().Assembly == typeof(ItemTransform).Assembly;
        try
        {
            Parallel.For(0, items.Length, k =>
            {
                int i = items[k];
                y[k] = _labels[i];
                // The built-in transforms keep no image, so every buffer of the item can come back to the pool at its end.
                using PixelArena? arena = builtIn ? PixelArena.Enter() : null;
                Image image = Transformed(i, new Generator(Mix(_seed, (ulong)draw, (ulong)i)));
                Span<float> item = dst.AsSpan(offset + k * size, size);
                ToPlanes(image.Data, item, Channels, plane);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return new Batch(x, Tensor.From(y));
    }

    /// <summary>v / 255f for every byte value: the exact quotients, looked up instead of divided.</summary>
    private static readonly float[] s_unit = [.. Enumerable.Range(0, 256).Select(v => v / 255f)];

    /// <summary>Interleaved HWC bytes to CHW floats in 0..1, in one pass over the pixels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ToPlanes(ReadOnlySpan<byte> px, Span<float> item, int channels, int plane)
    {
        ReadOnlySpan<float> unit = s_unit;
        if (channels == 1)
        {
            for (int j = 0; j < plane; j++) item[j] = unit[px[j]];
            return;
        }
        Span<float> r = item[..plane], g = item.Slice(plane, plane), b = item.Slice(2 * plane, plane);
        px = px[..(3 * plane)];
        for (int j = 0; j < plane; j++)
        {
            r[j] = unit[px[3 * j]];
            g[j] = unit[px[3 * j + 1]];
            b[j] = unit[px[3 * j + 2]];
        }
    }

    /// <summary>SplitMix64 of the three values: independent seeds for every (draw, item).</summary>
    private static ulong Mix(ulong seed, ulong draw, ulong item)
    {
        ulong z = seed ^ (draw * 0x9E3779B97F4A7C15UL) ^ (item * 0xC2B2AE3D27D4EB4FUL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
