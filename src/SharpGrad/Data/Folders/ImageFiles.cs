namespace SharpGrad.Data;

/// <summary>Finding image files (fastai's <c>get_image_files</c>) and labelling them by folder (<c>parent_label</c>).</summary>
public static class ImageFiles
{
    /// <summary>The extensions read as images: PNG, JPEG and BMP.</summary>
    public static IReadOnlySet<string> Extensions { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp" };

    /// <summary>Every image file under <paramref name="path"/>, recursively, in ordinal path order (so runs and machines agree).</summary>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    public static IReadOnlyList<string> Find(string path)
    {
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"Image folder '{path}' does not exist.");
        var files = Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = FileAttributes.Hidden })
            .Where(f => Extensions.Contains(Path.GetExtension(f)))
            .ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>Each file of <paramref name="files"/> labelled by its parent folder's name.</summary>
    public static IReadOnlyList<ImageItem> LabelByParent(IEnumerable<string> files) =>
        files.Select(f => new ImageItem(Path.GetFullPath(f), Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(f)))!)).ToList();
}
