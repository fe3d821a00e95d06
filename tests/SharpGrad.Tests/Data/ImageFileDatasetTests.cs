using SharpGrad.Data;
using SharpGrad.Data.Images;
using SharpGrad.Tests.Cli;

namespace SharpGrad.Tests.Data;

/// <summary>Folders of images of any size, format and colour type, through item transforms: batches, seeding, bad files, export and predict.</summary>
public class ImageFileDatasetTests
{
    private static readonly string Assets = Path.Combine(AppContext.BaseDirectory, "assets", "resize");

    /// <summary>train/ and valid/ with classes "a" and "b": PIL's photo and line art, rotated EXIF JPEGs, and PNGs of several sizes, grey and RGB.</summary>
    private static string MixedFolder(string root)
    {
        var gen = new Generator(9);
        foreach (string split in new[] { "train", "valid" })
            foreach (string label in new[] { "a", "b" })
            {
                string dir = Path.Combine(root, split, label);
                Directory.CreateDirectory(dir);
                for (int i = 0; i < 5; i++)
                {
                    int w = 20 + (int)gen.NextInt64(0, 60), h = 20 + (int)gen.NextInt64(0, 60), ch = i % 2 == 0 ? 3 : 1;
                    byte[] px = Tensor.Randint(0, 256, [w * h * ch], gen).ToArray<long>().Select(v => (byte)v).ToArray();
                    File.WriteAllBytes(Path.Combine(dir, $"{i}.png"), PngEncoder.Encode(new Image(w, h, ch, px)));
                }
                File.Copy(Path.Combine(Assets, label == "a" ? "exif_6.jpg" : "exif_3.jpg"), Path.Combine(dir, "photo.jpg"));
                File.Copy(Path.Combine(Assets, label == "a" ? "photo_rgb.png" : "lineart_l.png"), Path.Combine(dir, "big.png"));
            }
        return root;
    }

    [Fact]
    public void A_folder_of_mixed_sizes_batches_through_an_item_transform()
    {
        using var dir = new TempDir();
        DataLoaders dls = ImageDataLoaders.FromFolder(MixedFolder(dir), bs: 4, itemTfms: new Resize(32));
        Assert.Equal(["a", "b"], dls.Vocab);
        var ds = Assert.IsType<ImageFileDataset>(dls.Valid.Dataset);
        Assert.Equal(14, ds.Count);
        Batch b = dls.Valid.First();
        Assert.Equal([4, 3, 32, 32], b.X.Shape.ToArray());
        // The validation batch is the deterministic transform of each decoded, upright file, scaled to 0..1.
        for (int k = 0; k < 4; k++)
        {
            Image expected = new Resize(32).Apply(ImageDecoder.DecodeUpright(File.ReadAllBytes(ds.Files[k])), false, new Generator(0));
            if (expected.Channels == 1) expected = expected.ToRgb();
            float[] item = b.X[k].Permute(1, 2, 0).Contiguous().ToArray<float>();
            Assert.Equal(expected.Pixels.Select(p => p / 255f), item);
        }
    }

    [Fact]
    public void Training_crops_are_seeded_and_change_from_epoch_to_epoch()
    {
        using var dir = new TempDir();
        string folder = MixedFolder(dir);
        float[] Epochs(ulong seed, int n)
        {
            DataLoaders dls = ImageDataLoaders.FromFolder(folder, bs: 14, seed: seed, itemTfms: new RandomResizedCrop(24));
            return Enumerable.Range(0, n).SelectMany(_ => dls.Train.First().X.ToArray<float>()).ToArray();
        }
        float[] a = Epochs(3, 2), b = Epochs(3, 2), c = Epochs(4, 2);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        int half = a.Length / 2;
        Assert.NotEqual(a[..half], a[half..]); // a new draw each epoch
    }

    [Fact]
    public void An_undecodable_file_is_named_before_training_or_skipped_with_one_warning()
    {
        using var dir = new TempDir();
        string folder = MixedFolder(dir);
        string bad = Path.Combine(folder, "train", "a", "broken.png");
        File.WriteAllBytes(bad, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var e = Assert.ThrowsAny<IOException>(() => ImageDataLoaders.FromFolder(folder, itemTfms: new Resize(16)));
        Assert.Contains(bad, e.Message);
        var log = new CapturingReporter();
        DataLoaders dls = ImageDataLoaders.FromFolder(folder, itemTfms: new Resize(16), skipBad: true, progress: log);
        Assert.Equal(14, dls.Train.Dataset.Count);
        Assert.Contains(log.Lines, l => l.Contains("Skipped 1 of 15") && l.Contains("broken.png"));
    }

    [Fact]
    public void Mixed_sizes_without_an_item_transform_name_the_fix()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<InvalidDataException>(() => ImageDataLoaders.FromFolder(MixedFolder(dir)));
        Assert.Contains("itemTfms: new Resize(224)", e.Message);
        Assert.Contains("--size", e.Message);
    }

    [Fact]
    public void A_model_trained_with_size_predicts_images_of_any_size_from_the_command_line()
    {
        using var dir = new TempDir();
        string folder = MixedFolder(dir), model = Path.Combine(dir, "m.sgl");
        var (code, output, err) = CliProcess.Run("train", folder, "--size", "24x32", "--resize", "pad", "--channels", "3", "--epochs", "1", "--bs", "8", "--out", model);
        Assert.True(code == 0, output + err);
        Assert.Contains("3x24x32", output);
        (code, output, err) = CliProcess.Run("predict", model, Path.Combine(Assets, "photo_rgb.png"), Path.Combine(Assets, "exif_8.jpg"));
        Assert.True(code == 0, err);
        Assert.Equal(2, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        (code, _, err) = CliProcess.Run("train", folder, "--epochs", "1");
        Assert.Equal(1, code);
        Assert.Contains("--size", err);
        (code, _, err) = CliProcess.Run("train", folder, "--size", "0");
        Assert.Equal(2, code);
        Assert.Contains("--size must be a positive size", err);
    }
}
