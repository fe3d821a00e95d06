using SharpGrad.Data.Sources;

namespace SharpGrad.Data;

/// <summary>What the catalog knows of one dataset: its files and checksums (IDX datasets) or its folder layout (image-folder datasets), and where it can come from.</summary>
public sealed class DatasetInfo
{
    internal DatasetInfo(string name, string description, long approximateBytes, IReadOnlyList<DatasetFile> files,
                         IReadOnlyDictionary<string, int> folderCounts, IReadOnlyList<DatasetSource> sources)
    {
        Name = name;
        Description = description;
        ApproximateBytes = approximateBytes;
        Files = files;
        FolderCounts = folderCounts;
        Sources = sources;
    }

    /// <summary>The catalog name, e.g. <c>mnist-sample</c>.</summary>
    public string Name { get; }

    /// <summary>One line saying what it holds.</summary>
    public string Description { get; }

    /// <summary>About how many bytes it takes in the cache.</summary>
    public long ApproximateBytes { get; }

    /// <summary>The files of an IDX dataset with their SHA-256; empty for an image-folder dataset.</summary>
    public IReadOnlyList<DatasetFile> Files { get; }

    /// <summary>For an image-folder dataset: how many files each folder must hold (e.g. <c>train/3</c> → 6,131).</summary>
    public IReadOnlyDictionary<string, int> FolderCounts { get; }

    /// <summary>Whether it is a tree of image files rather than IDX files.</summary>
    public bool IsImageFolder => Files.Count == 0;

    /// <summary>Where it comes from, in the order tried after the cache.</summary>
    public IReadOnlyList<string> SourceDescriptions => Sources.Select(s => s.Describe()).ToList();

    internal IReadOnlyList<DatasetSource> Sources { get; }

    /// <summary>Files in the dataset (IDX files, or all image files of a folder dataset).</summary>
    public int FileCount => IsImageFolder ? FolderCounts.Values.Sum() : Files.Count;
}
