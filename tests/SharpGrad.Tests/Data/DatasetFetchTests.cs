using System.IO.Compression;
using System.Security.Cryptography;
using SharpGrad.Data;
using SharpGrad.Data.Sources;

namespace SharpGrad.Tests.Data;

/// <summary>The fetcher against local HTTP mirrors: verification, caching, skipped sources and their reasons, locking.</summary>
public class DatasetFetchTests
{
    private static readonly byte[] A = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();
    private static readonly byte[] B = Enumerable.Range(0, 300).Select(i => (byte)(i ^ 0x5a)).ToArray();

    private static byte[] Gzip(byte[] raw)
    {
        using var m = new MemoryStream();
        using (var gz = new GZipStream(m, CompressionLevel.Fastest)) gz.Write(raw);
        return m.ToArray();
    }

    private static DatasetFile File(string name, byte[] raw) => new(name, Convert.ToHexStringLower(SHA256.HashData(raw)), raw.Length);

    private static DatasetInfo Toy(params DatasetSource[] sources) =>
        new("toy", "test data", 0, [File("a-idx", A), File("b-idx", B)], new Dictionary<string, int>(), sources);

    private static Dictionary<string, byte[]> GoodFiles() => new() { ["a-idx.gz"] = Gzip(A), ["b-idx.gz"] = Gzip(B) };

    [Fact]
    public void Mirror_files_are_verified_cached_and_not_fetched_again()
    {
        using var dir = new TempDir();
        using var server = new LocalHttpServer(GoodFiles());
        DatasetInfo toy = Toy(new MirrorSource(server.BaseUrl));
        var log = new CapturingReporter();
        string path = DatasetFetcher.Get(toy, dir, log, default);
        Assert.Equal(A, System.IO.File.ReadAllBytes(Path.Combine(path, "a-idx")));
        Assert.Equal(B, System.IO.File.ReadAllBytes(Path.Combine(path, "b-idx")));
        int requests = server.Requests;
        var quiet = new CapturingReporter();
        Assert.Equal(path, DatasetFetcher.Get(toy, dir, quiet, default));
        Assert.Equal(requests, server.Requests);
        Assert.Empty(quiet.Lines);
        Assert.Empty(quiet.Tasks);
    }

    [Fact]
    public void A_source_with_wrong_bytes_is_skipped_and_the_reason_logged()
    {
        using var dir = new TempDir();
        var bad = GoodFiles();
        byte[] corrupt = (byte[])A.Clone();
        corrupt[100] ^= 1;
        bad["a-idx.gz"] = Gzip(corrupt);
        using var badServer = new LocalHttpServer(bad);
        using var goodServer = new LocalHttpServer(GoodFiles());
        var log = new CapturingReporter();
        string path = DatasetFetcher.Get(Toy(new MirrorSource(badServer.BaseUrl), new MirrorSource(goodServer.BaseUrl)), dir, log, default);
        Assert.Equal(A, System.IO.File.ReadAllBytes(Path.Combine(path, "a-idx")));
        string line = Assert.Single(log.Lines, l => l.Contains("skipped"));
        Assert.Contains(badServer.BaseUrl, line);
        Assert.Contains("a-idx: SHA-256", line);
        Assert.Empty(Directory.GetFiles(path, "*.partial-*"));
    }

    [Fact]
    public void When_every_source_fails_the_error_lists_each_source_and_why()
    {
        using var dir = new TempDir();
        using var empty = new LocalHttpServer([]);
        var garbage = GoodFiles();
        garbage["a-idx.gz"] = [1, 2, 3, 4, 5];
        using var broken = new LocalHttpServer(garbage);
        var e = Assert.Throws<DatasetUnavailableException>(() =>
            DatasetFetcher.Get(Toy(new MirrorSource(empty.BaseUrl), new MirrorSource(broken.BaseUrl), new SystemCopySource("/nonexistent/toy")), dir, new CapturingReporter(), default));
        Assert.Equal(3, e.Failures.Count);
        Assert.Contains("HTTP 404", e.Failures[0]);
        Assert.Contains("not valid gzip", e.Failures[1]);
        Assert.Contains("not installed", e.Failures[2]);
        Assert.Contains("toy", e.Message);
        Assert.False(System.IO.File.Exists(Path.Combine(dir, "toy", "a-idx")));
    }

    [Fact]
    public void An_unreachable_host_fails_fast_with_a_reason()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DatasetUnavailableException>(() =>
            DatasetFetcher.Get(Toy(new MirrorSource("http://127.0.0.1:1/")), dir, new CapturingReporter(), default));
        Assert.Contains("cannot connect", Assert.Single(e.Failures));
    }

    [Fact]
    public void A_partial_file_left_by_a_killed_process_is_never_trusted_and_is_cleaned_up()
    {
        using var dir = new TempDir();
        string ds = Path.Combine(dir, "toy");
        Directory.CreateDirectory(ds);
        System.IO.File.WriteAllBytes(Path.Combine(ds, "a-idx.partial-123-abc"), A.AsSpan(0, 100).ToArray());
        DatasetInfo toy = Toy(new MirrorSource("http://127.0.0.1:1/"));
        Assert.False(DatasetFetcher.IsComplete(toy, ds));
        using var server = new LocalHttpServer(GoodFiles());
        DatasetFetcher.Get(Toy(new MirrorSource(server.BaseUrl)), dir, new CapturingReporter(), default);
        Assert.Empty(Directory.GetFiles(ds, "*.partial-*"));
        Assert.True(DatasetFetcher.IsComplete(toy, ds));
    }

    [Fact]
    public void Concurrent_fetches_of_one_dataset_download_it_once()
    {
        using var dir = new TempDir();
        using var server = new LocalHttpServer(GoodFiles(), bytesPerSecond: 20_000);
        DatasetInfo toy = Toy(new MirrorSource(server.BaseUrl));
        var logs = new[] { new CapturingReporter(), new CapturingReporter() };
        Parallel.For(0, 2, i => DatasetFetcher.Get(toy, dir, logs[i], default));
        Assert.Equal(2, server.Requests);
        Assert.Contains(logs, l => l.Lines.Any(line => line.Contains("Waiting for another process")));
        Assert.Equal(A, System.IO.File.ReadAllBytes(Path.Combine(dir, "toy", "a-idx")));
    }

    [Fact]
    public void Unknown_dataset_names_list_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => Datasets.Info("mnist-tiny"));
        Assert.Contains("mnist-tiny", e.Message);
        Assert.Contains("fashion-mnist", e.Message);
        Assert.Equal("mnist-sample", Datasets.Info("MNIST_SAMPLE").Name);
    }

    [Fact]
    public void The_cache_directory_honours_the_explicit_folder_then_the_environment()
    {
        Assert.Equal(Path.GetFullPath("/tmp/x"), DataDirectory.Resolve("/tmp/x"));
        Assert.EndsWith("sharpgrad", DataDirectory.Default.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_truncated_download_is_skipped_and_leaves_no_file()
    {
        using var dir = new TempDir();
        using var server = new LocalHttpServer(GoodFiles()) { TruncateAt = 100 };
        var e = Assert.Throws<DatasetUnavailableException>(() => DatasetFetcher.Get(Toy(new MirrorSource(server.BaseUrl)), dir, new CapturingReporter(), default));
        Assert.Contains("after 100 bytes", Assert.Single(e.Failures));
        Assert.Empty(Directory.GetFiles(Path.Combine(dir, "toy")));
    }

    [Fact]
    public void A_stalled_download_times_out_and_the_next_source_is_used()
    {
        using var dir = new TempDir();
        // The server holds the stalled connection far longer than the 2 s timeout (until the test ends), so a loaded
        // machine that fires the timeout late still sees a stall, not the connection dropping first.
        using var stalled = new LocalHttpServer(GoodFiles()) { StallAt = 50, StallFor = TimeSpan.FromSeconds(120) };
        using var good = new LocalHttpServer(GoodFiles());
        TimeSpan saved = Http.StallTimeout;
        Http.StallTimeout = TimeSpan.FromSeconds(2); // for this test's execution context only
        try
        {
            var log = new CapturingReporter();
            string path = DatasetFetcher.Get(Toy(new MirrorSource(stalled.BaseUrl), new MirrorSource(good.BaseUrl)), dir, log, default);
            Assert.Contains(log.Lines, l => l.Contains("no data for") && l.Contains(stalled.BaseUrl));
            Assert.Equal(B, System.IO.File.ReadAllBytes(Path.Combine(path, "b-idx")));
        }
        finally
        {
            Http.StallTimeout = saved;
        }
    }
}
