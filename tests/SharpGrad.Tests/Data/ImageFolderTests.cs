using SharpGrad.Data;
using SharpGrad.Data.Images;

namespace SharpGrad.Tests.Data;

/// <summary>Image folders: layouts, splits, labels and every kind of bad input.</summary>
public class ImageFolderTests
{
    private static void Png(string path, byte value, int size = 4, int channels = 1)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var pixels = Enumerable.Repeat(value, size * size * channels).ToArray();
        File.WriteAllBytes(path, PngEncoder.Encode(new Image(size, size, channels, pixels)));
    }

    /// <summary>train/{a,b} with three images each, valid/{a,b} with one each.</summary>
    private static TempDir Tree()
    {
        var dir = new TempDir();
        foreach (string label in new[] { "a", "b" })
        {
            for (int i = 0; i < 3; i++) Png(Path.Combine(dir, "train", label, $"{i}.png"), (byte)(label == "a" ? 10 + i : 200 + i));
            Png(Path.Combine(dir, "valid", label, "v.png"), (byte)(label == "a" ? 50 : 250));
        }
        return dir;
    }

    [Fact]
    public void FromFolder_splits_by_grandparent_and_labels_by_parent()
    {
        using TempDir dir = Tree();
        DataLoaders dls = ImageDataLoaders.FromFolder(dir, bs: 2);
        Assert.Equal(["a", "b"], dls.Vocab);
        Assert.Equal(6, dls.Train.Dataset.Count);
        Assert.Equal(2, dls.Valid.Dataset.Count);
        var (x, y) = dls.Valid.First();
        Assert.Equal([2, 3, 4, 4], x.Shape.ToArray());
        Assert.Equal([0L, 1L], y!.ToArray<long>());
        Assert.Equal(50f / 255f, x[0, 2, 3, 3].Item());
        Assert.Equal(250f / 255f, x[1, 0, 0, 0].Item());
    }

    [Fact]
    public void Grayscale_loading_keeps_one_channel_and_colour_converts_like_PIL()
    {
        using TempDir dir = Tree();
        Png(Path.Combine(dir, "train", "a", "rgb.png"), 90, channels: 3);
        DataLoaders dls = ImageDataLoaders.FromFolder(dir, bs: 8, channels: 1);
        Assert.Equal([7, 1, 4, 4], dls.Train.Dataset.Collate([0, 1, 2, 3, 4, 5, 6]).X.Shape.ToArray());
        var ds = (ImageDataset)dls.Train.Dataset;
        int rgb = ds.Files.ToList().FindIndex(f => f.EndsWith("rgb.png"));
        Assert.Equal(90f / 255f, ds.Collate([rgb]).X[0, 0, 0, 0].Item());
    }

    [Fact]
    public void A_random_split_is_the_same_for_the_same_seed()
    {
        using TempDir dir = Tree();
        var a = (ImageDataset)ImageDataLoaders.FromFolder(dir, validPct: 0.25, seed: 3).Valid.Dataset;
        var b = (ImageDataset)ImageDataLoaders.FromFolder(dir, validPct: 0.25, seed: 3).Valid.Dataset;
        Assert.Equal(2, a.Count);
        Assert.Equal(a.Files, b.Files);
    }

    [Fact]
    public void A_corrupt_image_is_named_or_skipped_with_a_warning()
    {
        using TempDir dir = Tree();
        string bad = Path.Combine(dir, "train", "b", "broken.png");
        File.WriteAllText(bad, "this is not a png");
        var e = Assert.Throws<ImageDecodeException>(() => ImageDataLoaders.FromFolder(dir));
        Assert.Contains(bad, e.Message);
        var log = new CapturingReporter();
        DataLoaders dls = ImageDataLoaders.FromFolder(dir, skipBad: true, progress: log);
        Assert.Equal(6, dls.Train.Dataset.Count);
        Assert.Contains(log.Lines, l => l.Contains("Skipped 1 of 7") && l.Contains(bad));
    }

    [Fact]
    public void An_empty_class_folder_is_an_error_naming_it()
    {
        using TempDir dir = Tree();
        Directory.CreateDirectory(Path.Combine(dir, "train", "c"));
        var e = Assert.Throws<InvalidDataException>(() => ImageDataLoaders.FromFolder(dir));
        Assert.Contains(Path.Combine("train", "c"), e.Message);
        Assert.Contains("no images", e.Message);
    }

    [Fact]
    public void A_validation_class_unknown_to_training_is_an_error()
    {
        using TempDir dir = Tree();
        Png(Path.Combine(dir, "valid", "z", "0.png"), 1);
        var e = Assert.Throws<InvalidDataException>(() => ImageDataLoaders.FromFolder(dir));
        Assert.Contains("'z'", e.Message);
        Assert.Contains("no training images", e.Message);
    }

    [Fact]
    public void Images_of_different_sizes_name_both_files()
    {
        using TempDir dir = Tree();
        string big = Path.Combine(dir, "train", "a", "big.png");
        Png(big, 1, size: 6);
        var e = Assert.Throws<InvalidDataException>(() => ImageDataLoaders.FromFolder(dir));
        Assert.Contains(big, e.Message);
        Assert.Contains("6x6", e.Message);
        Assert.Contains("4x4", e.Message);
    }

    [Fact]
    public void A_missing_folder_and_a_folder_without_images_are_clear_errors()
    {
        Assert.Contains("does not exist", Assert.Throws<DirectoryNotFoundException>(() => ImageDataLoaders.FromFolder("/nonexistent/images")).Message);
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir, "readme.txt"), "no images here");
        Assert.Contains("No images", Assert.Throws<InvalidDataException>(() => ImageDataLoaders.FromFolder(dir)).Message);
    }

    [Fact]
    public void ImageTensor_loads_grayscale_as_HxW_and_colour_as_HxWx3()
    {
        using var dir = new TempDir();
        Png(Path.Combine(dir, "g.png"), 7);
        Png(Path.Combine(dir, "c.png"), 8, channels: 3);
        Assert.Equal([4, 4], ImageTensor.Load(Path.Combine(dir, "g.png")).Shape.ToArray());
        Tensor c = ImageTensor.Load(Path.Combine(dir, "c.png"));
        Assert.Equal([4, 4, 3], c.Shape.ToArray());
        Assert.Equal(DType.UInt8, c.DType);
    }
}
