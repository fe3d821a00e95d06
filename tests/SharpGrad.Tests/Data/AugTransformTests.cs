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

    [Theory]
    [Trait("Category", "Kernels")]
    [InlineData(PadMode.Zeros)]
    [InlineData(PadMode.Border)]
    [InlineData(PadMode.Reflection)]
    public void The_vector_path_agrees_with_the_reference_bitwise_inside_at_the_edges_and_outside(PadMode pad)
    {
        // A rotated, zoomed-out grid over a 3x37x53 image: whole groups of eight inside (gathers), groups straddling
        // the edge and groups outside (scalar), points exactly on the last row and column, and a NaN.
        int c = 3, h = 37, w = 53, oh = 29, ow = 61;
        float[] x = Tensor.Rand([c * h * w], new Generator(11)).ToArray<float>();
        var grid = new float[oh * ow * 2];
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
            {
                double yo = -1 + 2.0 * i / (oh - 1), xo = -1 + 2.0 * j / (ow - 1);
                grid[2 * (i * ow + j)] = (float)(1.2 * (Math.Cos(0.3) * xo + Math.Sin(0.3) * yo));
                grid[2 * (i * ow + j) + 1] = (float)(1.2 * (-Math.Sin(0.3) * xo + Math.Cos(0.3) * yo));
            }
        for (int j = 0; j < 16; j++) (grid[2 * j], grid[2 * j + 1]) = (j % 2 == 0 ? 1f : -1f, 1f); // the last row, both corners
        grid[2 * 40] = float.NaN;
        var fast = new float[c * oh * ow];
        var reference = new float[c * oh * ow];
        GridSample.Bilinear(fast, x, grid, c, h, w, oh, ow, pad);
        GridSample.BilinearReference(reference, x, grid, c, h, w, oh, ow, pad);
        for (int i = 0; i < fast.Length; i++)
            Assert.True(fast[i].Equals(reference[i]), $"{pad}: sample {i}: {fast[i]} vs reference {reference[i]}");
    }

    [Fact]
    public void The_vector_grid_equals_the_scalar_grid_bitwise()
    {
        var aug = new AugTransforms(pAffine: 1, maxWarp: 0.4, minZoom: 0.8, maxZoom: 1.3);
        var g = new Generator(13);
        foreach ((int h, int w) in new[] { (37, 53), (224, 224), (5, 3) })
            for (int k = 0; k < 8; k++)
            {
                AugTransforms.Draw d = aug.DrawOne(g);
                float[] fast = new float[2 * h * w], scalar = new float[2 * h * w];
                AugTransforms.Grid(fast, d, h, w);
                AugTransforms.Grid(scalar, d, h, w, simd: false);
                Assert.Equal(scalar, fast);
            }
    }

    [Fact]
    public void Lighting_equals_fastais_sigmoid_of_shifted_and_scaled_logits()
    {
        float[] x = [.. Tensor.Rand([1003], new Generator(5)).ToArray<float>(), 0f, 1f, 1e-9f];
        foreach ((double b, double c) in new[] { (0.5, 1.0), (0.58, 1.0), (0.43, 0.8), (0.55, 1.22) })
        {
            float[] y = (float[])x.Clone();
            AugTransforms.Lighting(y, b, c);
            for (int i = 0; i < x.Length; i++)
            {
                double v = Math.Clamp((double)x[i], 1e-7, 1 - 1e-7);
                double expected = 1 / (1 + Math.Exp(-((Math.Log(v / (1 - v)) + Math.Log(b / (1 - b))) * c)));
                Assert.True(Math.Abs(y[i] - expected) <= 1e-6 + 1e-5 * expected, $"b {b} c {c} x {x[i]}: {y[i]} vs {expected}");
            }
        }
    }

    [Fact]
    public void In_place_batch_transforms_give_what_the_public_ones_give()
    {
        Tensor x = Batch();
        var aug = new AugTransforms(pLighting: 1, pAffine: 1);
        float[] expected = aug.Apply(x, true, new Generator(21)).ToArray<float>();
        Tensor owned = x.Clone();
        Tensor result = aug.Apply(owned, true, new Generator(21), inPlace: true);
        Assert.Same(owned, result);
        Assert.Equal(expected, result.ToArray<float>());
        (float[] mean, float[] std) = Normalize.ImagenetStats;
        Normalize norm = Normalize.FromStats(mean, std);
        float[] normalized = norm.Apply(x, false, new Generator(0)).ToArray<float>();
        owned = x.Clone();
        Assert.Same(owned, norm.Apply(owned, false, new Generator(0), inPlace: true));
        Assert.Equal(normalized, owned.ToArray<float>());
        Assert.NotEqual(normalized, x.ToArray<float>()); // the public form left its input alone
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
