namespace SharpGrad.Data;

/// <summary>Splits items into training and validation indices (fastai's splitters).</summary>
public delegate (int[] Train, int[] Valid) Splitter(IReadOnlyList<ImageItem> items);

/// <summary>The built-in splitters.</summary>
public static class Splitters
{
    /// <summary>By the name of each file's grandparent folder (fastai's <c>GrandparentSplitter</c>): <c>train/3/x.png</c> is training, <c>valid/3/y.png</c> validation; files under neither are left out.</summary>
    public static Splitter Grandparent(string train = "train", string valid = "valid") => items =>
    {
        var t = new List<int>();
        var v = new List<int>();
        for (int i = 0; i < items.Count; i++)
        {
            string? grand = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(items[i].Path)));
            if (grand == train) t.Add(i);
            else if (grand == valid) v.Add(i);
        }
        return (t.ToArray(), v.ToArray());
    };

    /// <summary>A random <paramref name="validPct"/> of the items for validation (fastai's <c>RandomSplitter</c>), the same for the same seed.</summary>
    public static Splitter Random(double validPct = 0.2, ulong seed = 42) => items =>
    {
        if (validPct is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(validPct), validPct, "validPct must be between 0 and 1.");
        long[] perm = Tensor.Randperm(items.Count, new Generator(seed)).ToArray<long>();
        int cut = (int)(validPct * items.Count);
        int[] valid = perm[..cut].Select(i => (int)i).Order().ToArray();
        int[] train = perm[cut..].Select(i => (int)i).Order().ToArray();
        return (train, valid);
    };
}
