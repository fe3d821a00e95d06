using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using SharpGrad.Reporting;

namespace SharpGrad.Data.Sources;

/// <summary>
/// Receives the files a <see cref="FileSource"/> offers: decompresses gzip, hashes while writing to a temporary file
/// beside the final one, and renames it into place only when length and SHA-256 match, so the cache never holds a
/// file that was not verified (a process killed mid-write leaves only a <c>.partial</c> file, which is never read).
/// </summary>
internal sealed class FileFetch(string dataset, string root, string directory, IReadOnlyList<DatasetFile> wanted, IProgressReporter progress, CancellationToken cancellation)
    : FetchContext(dataset, root, progress, cancellation)
{
    private readonly List<string> _problems = [];

    /// <summary>The files still missing from the cache.</summary>
    public IReadOnlyList<DatasetFile> Wanted => wanted.Where(f => !File.Exists(Path.Combine(directory, f.Name))).ToList();

    /// <summary>Why offered files were rejected, one line each.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Installs <paramref name="content"/> as <paramref name="file"/> when it verifies; returns whether it did.</summary>
    public bool Offer(DatasetFile file, Stream content, bool gzipped)
    {
        string final = Path.Combine(directory, file.Name);
        if (File.Exists(final)) return true;
        string temp = $"{final}.partial-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (Stream source = gzipped ? new GZipStream(content, CompressionMode.Decompress, leaveOpen: true) : content)
            using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
                try
                {
                    long length = 0;
                    int n;
                    while ((n = source.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        Cancellation.ThrowIfCancellationRequested();
                        length += n;
                        if (length > file.Length)
                            return Reject(temp, $"{file.Name}: longer than the expected {file.Length:N0} bytes");
                        hash.AppendData(buffer, 0, n);
                        output.Write(buffer, 0, n);
                    }
                    if (length != file.Length)
                        return Reject(temp, $"{file.Name}: {length:N0} bytes, expected {file.Length:N0}");
                    string sha = Convert.ToHexStringLower(hash.GetHashAndReset());
                    if (sha != file.Sha256)
                        return Reject(temp, $"{file.Name}: SHA-256 {sha} does not match the expected {file.Sha256}");
                    output.Flush(flushToDisk: true);
                }
                finally { ArrayPool<byte>.Shared.Return(buffer); }
            }
            File.Move(temp, final, overwrite: false);
            return true;
        }
        catch (InvalidDataException e)
        {
            return Reject(temp, $"{file.Name}: not valid gzip data ({e.Message})");
        }
        finally
        {
            if (File.Exists(temp)) TryDelete(temp);
        }
    }

    private bool Reject(string temp, string problem)
    {
        _problems.Add(problem);
        TryDelete(temp);
        return false;
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
