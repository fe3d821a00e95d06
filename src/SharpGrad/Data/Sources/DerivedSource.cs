namespace SharpGrad.Data.Sources;

/// <summary>A folder dataset built locally from another dataset (mnist-sample from mnist), used when its own download is out of reach.</summary>
internal sealed class DerivedSource(string description, Action<string, FetchContext> build) : FolderSource
{
    public override string Describe() => description;

    public override void Build(string staging, FetchContext context) => build(staging, context);
}
