namespace SharpGrad.Benchmarks;

/// <summary>The repository root (the folder holding SharpGrad.sln), found by walking up from the binary.</summary>
internal static class Repo
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SharpGrad.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
