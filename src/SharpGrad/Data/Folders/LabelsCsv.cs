namespace SharpGrad.Data;

/// <summary>Reads a <c>name,label</c> CSV such as mnist-sample's <c>labels.csv</c>.</summary>
internal static class LabelsCsv
{
    public static IReadOnlyList<ImageItem> Read(string csv, string root)
    {
        if (!File.Exists(csv)) throw new FileNotFoundException($"Labels file '{csv}' does not exist.", csv);
        var items = new List<ImageItem>();
        int line = 0;
        foreach (string raw in File.ReadLines(csv))
        {
            line++;
            if (line == 1 || raw.Length == 0) continue; // header
            string[] cells = raw.Split(',');
            if (cells.Length < 2) throw new InvalidDataException($"{csv}:{line}: expected 'name,label', got '{raw}'.");
            string file = Path.GetFullPath(Path.Combine(root, cells[0].Trim()));
            items.Add(new ImageItem(file, cells[1].Trim()));
        }
        return items;
    }
}
