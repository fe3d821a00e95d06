using SharpGrad.Reporting;

namespace SharpGrad.Data;

/// <summary>
/// The dataset catalog (fastai's <c>untar_data(URLs.X)</c>): <c>Datasets.Get(Datasets.MnistSample)</c> returns the local
/// folder, fetching, verifying and caching the data on first use from the first source that works.
/// </summary>
public static class Datasets
{
    /// <summary>MNIST as IDX files.</summary>
    public const string Mnist = "mnist";

    /// <summary>Fashion-MNIST as IDX files.</summary>
    public const string FashionMnist = "fashion-mnist";

    /// <summary>fastai's MNIST_SAMPLE: 3s and 7s as PNG folders.</summary>
    public const string MnistSample = "mnist-sample";

    /// <summary>fastai's MNIST: all digits as PNG folders.</summary>
    public const string MnistPng = "mnist-png";

    /// <summary>Every dataset in the catalog.</summary>
    public static IReadOnlyList<DatasetInfo> All => DatasetCatalog.All;

    /// <summary>The catalog entry for <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such dataset; the message lists the known ones.</exception>
    public static DatasetInfo Info(string name) => DatasetCatalog.Find(name);

    /// <summary>
    /// The local folder holding dataset <paramref name="name"/>, fetched into the cache first if needed.
    /// </summary>
    /// <param name="name">A catalog name such as <see cref="MnistSample"/>.</param>
    /// <param name="dataDirectory">Cache root; default <see cref="DataDirectory.Resolve"/>.</param>
    /// <param name="progress">Where downloads report; default <see cref="Reporters.Default"/>.</param>
    /// <param name="cancellation">Cancels the fetch.</param>
    /// <exception cref="DatasetUnavailableException">Every source failed; the message lists each and why.</exception>
    public static string Get(string name, string? dataDirectory = null, IProgressReporter? progress = null, CancellationToken cancellation = default) =>
        DatasetFetcher.Get(Info(name), DataDirectory.Resolve(dataDirectory), progress ?? Reporters.Default, cancellation);

    /// <summary>Whether dataset <paramref name="name"/> is complete in the cache.</summary>
    public static bool IsCached(string name, string? dataDirectory = null)
    {
        DatasetInfo info = Info(name);
        return DatasetFetcher.IsComplete(info, Path.Combine(DataDirectory.Resolve(dataDirectory), info.Name));
    }

    /// <summary>Loads MNIST or Fashion-MNIST (fetching it if needed) as tensors.</summary>
    public static MnistData LoadIdx(string name, string? dataDirectory = null, IProgressReporter? progress = null)
    {
        DatasetInfo info = Info(name);
        if (info.IsImageFolder) throw new ArgumentException($"Dataset '{info.Name}' is an image folder, not IDX files; use ImageDataLoaders.FromFolder(Datasets.Get(\"{info.Name}\")).");
        return MnistData.Load(Get(name, dataDirectory, progress));
    }
}
