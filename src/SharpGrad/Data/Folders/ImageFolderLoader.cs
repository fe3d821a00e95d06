using SharpGrad.Data.Images;
using SharpGrad.Reporting;

namespace SharpGrad.Data;

/// <summary>Decodes image files on all cores into one <see cref="ImageDataset"/>.</summary>
public static class ImageFolderLoader
{
    /// <summary>
    /// Decodes <paramref name="items"/> (PNG, JPEG or BMP) into a dataset whose labels index <paramref name="vocab"/>.
    /// Every image must have the same size.
    /// </summary>
    /// <param name="items">Files and labels.</param>
    /// <param name="vocab">Class names; each item's label must be one of them.</param>
    /// <param name="channels">3 (RGB; grayscale replicated, fastai's default) or 1 (grayscale; colour converted as PIL's "L").</param>
    /// <param name="progress">Where decoding reports; default silent.</param>
    /// <param name="skipBad">Leave out files that cannot be read as images, with one warning giving the count, instead of failing.</param>
    /// <exception cref="ImageDecodeException">A file is not a readable image; the message names it.</exception>
    /// <exception cref="InvalidDataException">Images differ in size; the message names two files and their sizes.</exception>
    public static ImageDataset Load(IReadOnlyList<ImageItem> items, IReadOnlyList<string> vocab, int channels = 3, IProgressReporter? progress = null, bool skipBad = false)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 (grayscale) or 3 (RGB).");
        var index = new Dictionary<string, int>();
        for (int i = 0; i < vocab.Count; i++) index[vocab[i]] = i;
        var labels = new long[items.Count];
        for (int i = 0; i < items.Count; i++)
            labels[i] = index.TryGetValue(items[i].Label, out int l) ? l
                : throw new ArgumentException($"{items[i].Path}: label '{items[i].Label}' is not in the vocab [{string.Join(", ", vocab)}].");

        var decoded = new Image?[items.Count];
        int[] keep = ImageFileCheck.DecodeAll(items.Select(it => it.Path).ToList(), channels, "decoding", progress ?? Reporters.Silent, skipBad, 128,
                                              (i, image) => decoded[i] = image);
        if (keep.Length < items.Count)
        {
            items = keep.Select(i => items[i]).ToList();
            labels = keep.Select(i => labels[i]).ToArray();
            decoded = keep.Select(i => decoded[i]).ToArray();
        }
        Image[] images = decoded.Select(im => im!).ToArray();

        int h = images.Length > 0 ? images[0].Height : 0, w = images.Length > 0 ? images[0].Width : 0;
        for (int i = 1; i < images.Length; i++)
            if (images[i].Height != h || images[i].Width != w)
                throw new InvalidDataException(
                    $"Images differ in size: {items[0].Path} is {w}x{h} but {items[i].Path} is {images[i].Width}x{images[i].Height}; batching needs one size: " +
                    "pass an item transform such as itemTfms: new Resize(224) (CLI: --size 224).");
        int stored = images.Any(im => im.Channels == 3) ? 3 : 1;
        int size = h * w * stored;
        var pixels = new byte[(long)size * images.Length];
        Parallel.For(0, images.Length, i =>
        {
            Image image = stored == 3 && images[i].Channels == 1 ? images[i].ToRgb() : images[i];
            image.Pixels.AsSpan(0, size).CopyTo(pixels.AsSpan(i * size, size));
        });
        return new ImageDataset(pixels, h, w, stored, channels, labels, items.Select(it => it.Path).ToList(), vocab);
    }
}
