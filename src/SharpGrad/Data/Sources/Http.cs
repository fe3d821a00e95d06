using System.Net;
using SharpGrad.Reporting;

namespace SharpGrad.Data.Sources;

/// <summary>
/// Downloads for the dataset sources: one shared client (proxies from the environment, 15 s to connect), a stream
/// that reports progress and fails when no byte arrives for <see cref="StallTimeout"/>.
/// </summary>
internal static class Http
{
    // Flows with the execution context (into tasks and parallel loops a download may run on), unlike a thread static.
    private static readonly AsyncLocal<TimeSpan?> s_stallTimeout = new();

    /// <summary>How long a download may go without receiving a byte before it counts as failed: 30 s, or an override for the current execution context (tests).</summary>
    public static TimeSpan StallTimeout
    {
        get => s_stallTimeout.Value ?? TimeSpan.FromSeconds(30);
        set => s_stallTimeout.Value = value;
    }

    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(15),
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestHeaders = { { "User-Agent", "SharpGrad (+https://github.com/sharpgrad)" } },
    };

    /// <summary>GETs <paramref name="url"/>; the returned stream reports its bytes to a progress task named <paramref name="description"/>.</summary>
    public static Stream Open(string url, string description, FetchContext context)
    {
        HttpResponseMessage response;
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation))
        {
            connect.CancelAfter(StallTimeout);
            try
            {
                response = Client.Send(new HttpRequestMessage(HttpMethod.Get, url), HttpCompletionOption.ResponseHeadersRead, connect.Token);
            }
            catch (HttpRequestException e)
            {
                throw new SourceFailedException($"{url}: {Describe(e)}", e);
            }
            catch (OperationCanceledException e) when (!context.Cancellation.IsCancellationRequested)
            {
                throw new SourceFailedException($"{url}: no response within {Reporting.Units.Duration(StallTimeout)}", e);
            }
        }
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw new SourceFailedException($"{url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        IProgressTask task = context.Progress.Start(description, response.Content.Headers.ContentLength, bytes: true);
        return new DownloadStream(response, task, url, context.Cancellation);
    }

    /// <summary>GETs <paramref name="url"/> as a string (small documents such as registry metadata).</summary>
    public static string GetString(string url, FetchContext context)
    {
        using Stream s = Open(url, $"GET {url}", context);
        using var reader = new StreamReader(s);
        return reader.ReadToEnd();
    }

    private static string Describe(HttpRequestException e) =>
        e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "host not found (no DNS answer)",
            HttpRequestError.ConnectionError => $"cannot connect ({e.InnerException?.Message ?? e.Message})",
            HttpRequestError.SecureConnectionError => $"TLS failed ({e.InnerException?.Message ?? e.Message})",
            HttpRequestError.ProxyTunnelError => "the proxy refused the tunnel",
            _ => e.Message,
        };

    /// <summary>The response body, counting bytes into a progress task and enforcing the stall timeout on every read.</summary>
    private sealed class DownloadStream(HttpResponseMessage response, IProgressTask task, string url, CancellationToken cancellation) : Stream
    {
        private readonly Stream _inner = response.Content.ReadAsStream(cancellation);
        private long _read;
        private bool _disposed;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            byte[] rented = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length);
            try
            {
                using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                stall.CancelAfter(StallTimeout);
                int n;
                try
                {
                    n = _inner.ReadAsync(rented.AsMemory(0, buffer.Length), stall.Token).AsTask().GetAwaiter().GetResult();
                }
                catch (OperationCanceledException e) when (!cancellation.IsCancellationRequested)
                {
                    throw new SourceFailedException($"{url}: no data for {Reporting.Units.Duration(StallTimeout)} after {_read:N0} bytes", e);
                }
                catch (HttpRequestException e)
                {
                    throw new SourceFailedException($"{url}: connection lost after {_read:N0} bytes ({e.Message})", e);
                }
                catch (IOException e)
                {
                    throw new SourceFailedException($"{url}: connection lost after {_read:N0} bytes ({e.Message})", e);
                }
                rented.AsSpan(0, n).CopyTo(buffer);
                _read += n;
                if (n > 0) task.Advance(n);
                else task.Complete();
                return n;
            }
            finally { System.Buffers.ArrayPool<byte>.Shared.Return(rented); }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_disposed)
            {
                _disposed = true;
                task.Dispose();
                _inner.Dispose();
                response.Dispose();
            }
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
