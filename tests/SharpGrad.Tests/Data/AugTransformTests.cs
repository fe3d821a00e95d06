using System.Text.Json;
using SharpGrad.Data;
using SharpGrad.Data.Images;
using SharpGrad.Kernels;

namespace SharpGrad.Tests.Data;

/// <summary>The grid-sample kernel against PyTorch, and fastai's batch augmentation and normalisation built on it.</summary>
public class AugTransformTests
{
    public static TheoryData<int> Cases() => [.. Enumerable.Range(0, 12)];

    private static JsonElement Case(int i)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "reference", "grid_sample.json")));
        return doc.RootElement.GetProperty("cases")[i].Clone();
    }

    private static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => v.GetSingle()).ToArray();

    [Theory]
    [Trait("Category", "Kernels")]
    [MemberData(nameof(Cases))]
    public void Grid_sample_matches_PyTorch_and_the_fast_path_matches_the_reference_bitwise(int index)
    {
        JsonElement c = Case(index);
        int[] s = c.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        (int ch, int h, int w, int oh, int ow) = (s[0], s[1], s[2], s[3], s[4]);
        PadMode pad = c.GetProperty("pad").GetString() switch { "zeros" => PadMode.Zeros, "border" => PadMode.Border, _ => PadMode.Reflection };
        float[] x = Floats(c.GetProperty("x")), grid = Floats(c.GetProperty("grid")), expected = Floats(c.GetProperty("y"));
        var fast = new float[expected.Length];
        var reference = new float[expected.Length];
        GridSample.Bilinear(fast, x, grid, ch, h, w, oh, ow, pad);
        GridSample.BilinearReference(reference, x, grid, ch, h, w, oh, ow, pad);
        Assert.Equal(reference, fast);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - fast[i]) <= 1e-5f + 1e-4f * Math.Abs(expected[i]), $"{pad} {string.Join('x', s)} sample {i}: {fast[i]} vs PyTorch {expected[i]}");
    }

    private static Tensor Batch() => Tensor.Rand([6, 3, 20, 24], new Generator(3)) * 0.8f + 0.1f;

    [Fact]
    public void Validation_batches_pass_unchanged_and_training_batches_are_seeded()
    {
        Tensor x = Batch();
        var aug = new AugTransforms();
        Assert.Same(x, aug.Apply(x, training: false, new Generator(1)));
        float[] a = aug.Apply(x, true, new Generator(7)).ToArray<float>(), b = aug.Apply(x, true, new Generator(7)).ToArray<float>();
        float[] c = aug.Apply(x, true, new Generator(8)).ToArray<float>();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(x.ToArray<float>(), a);
        Assert.All(a, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void With_every_part_off_the_batch_is_unchanged_and_a_flip_mirrors_exactly()
    {
        Tensor x = Batch();
        var none = new AugTransforms(doFlip: false, maxRotate: 0, maxZoom: 1, maxLighting: 0, maxWarp: 0);
        Assert.Equal(x.ToArray<float>(), none.Apply(x, true, new Generator(1)).ToArray<float>());
        var flip = new AugTransforms(maxRotate: 0, maxZoom: 1, maxLighting: 0, maxWarp: 0);
        Tensor y = flip.Apply(x, true, new Generator(2));
        int mirrored = 0;
        for (int i = 0; i < 6; i++)
        {
            float[] orig = x[i].ToArray<float>(), mirror = Mirror(x[i].ToArray<float>(), 3, 20, 24), got = y[i].ToArray<float>();
            bool same = orig.Zip(got).All(p => Math.Abs(p.First - p.Second) < 1e-5f), flipped = mirror.Zip(got).All(p => Math.Abs(p.First - p.Second) < 1e-5f);
            Assert.True(same || flipped, $"image {i} is neither itself nor its mirror");
            if (flipped && !same) mirrored++;
        }
        Assert.InRange(mirrored, 1, 5); // p = 0.5 over six images, with this seed
    }

    private static float[] Mirror(float[] chw, int c, int h, int w)
    {
        var r = new float[chw.Length];
        for (int k = 0; k < c * h; k++)
            for (int j = 0; j < w; j++) r[k * w + j] = chw[k * w + w - 1 - j];
        return r;
    }

    [Fact]
    public void Lighting_is_monotonic_per_image_and_normalize_uses_the_channel_statistics()
    {
        Tensor x = Batch();
        var light = new AugTransforms(doFlip: false, maxRotate: 0, maxZoom: 1, maxWarp: 0, pLighting: 1);
        Tensor y = light.Apply(x, true, new Generator(4));
        for (int i = 0; i < 6; i++)
        {
            float[] a = x[i].ToArray<float>(), b = y[i].ToArray<float>();
            int[] order = Enumerable.Range(0, a.Length).OrderBy(k => a[k]).ToArray();
            for (int k = 1; k < order.Length; k++) Assert.True(b[order[k]] >= b[order[k - 1]], "lighting must keep the order of pixel values");
        }
        (float[] mean, float[] std) = Normalize.ImagenetStats;
        Tensor n = Normalize.FromStats(mean, std).Apply(x, false, new Generator(0));
        Assert.Equal((x[0, 1, 2, 3].Item() - 0.456f) / 0.224f, n[0, 1, 2, 3].Item(), 6);
        Assert.Throws<ArgumentException>(() => Normalize.FromStats([0.5f], [0f]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AugTransforms(minZoom: 0));
    }

    [Fact]
    public void A_folder_loader_augments_training_batches_only()
    {
        using var dir = new TempDir();
        string folder = Cli.CliTrialTests.TinyFolder(dir, 10);
        DataLoaders plain = ImageDataLoaders.FromFolder(folder, bs: 20, validPct: 0.25, itemTfms: new Resize(16));
        DataLoaders aug = ImageDataLoaders.FromFolder(folder, bs: 20, validPct: 0.25, itemTfms: new Resize(16), batchTfms: [new AugTransforms()]);
        Assert.Equal(plain.Valid.First().X.ToArray<float>(), aug.Valid.First().X.ToArray<float>());
        Assert.NotEqual(plain.Train.First().X.ToArray<float>(), aug.Train.First().X.ToArray<float>());
    }
}

/// <summary>fastai's show_batch: a PNG of augmented training items with their labels.</summary>
public class ShowBatchTests
{
    [Fact]
    public void ShowBatch_writes_a_grid_of_augmented_training_images()
    {
        using var dir = new TempDir();
        string folder = Cli.CliTrialTests.TinyFolder(dir, 10);
        DataLoaders dls = ImageDataLoaders.FromFolder(folder, bs: 16, validPct: 0.25, itemTfms: new Resize(32), batchTfms: [new AugTransforms()]);
        string png = Path.Combine(dir, "batch.png");
        SharpGrad.Plotting.TensorPlots.ShowBatch(dls, png, rows: 3);
        Image image = ImageDecoder.Decode(File.ReadAllBytes(png), png);
        Assert.True(image.Width >= 3 * 32 && image.Height >= 3 * 32, $"{image.Width}x{image.Height}");
        Assert.True(image.Pixels.Distinct().Count() > 50, "the grid looks blank");
        Assert.Throws<ArgumentOutOfRangeException>(() => SharpGrad.Plotting.TensorPlots.ShowBatch(dls, png, rows: 0));
    }
}
