using System.Net;
using System.Net.Sockets;

namespace SharpGrad.Tests.Data;

/// <summary>A tiny HTTP server on 127.0.0.1 serving fixed files, optionally slowly, for testing the download sources without a network.</summary>
internal sealed class LocalHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, byte[]> _files;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stopped = new();

    public LocalHttpServer(Dictionary<string, byte[]> files, int bytesPerSecond = 0)
    {
        _files = files;
        BytesPerSecond = bytesPerSecond;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _thread = new Thread(Serve) { IsBackground = true };
        _thread.Start();
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}/";

    /// <summary>Throttle: 0 serves at full speed.</summary>
    public int BytesPerSecond { get; set; }

    /// <summary>When set, every response announces its full length but the connection is cut after this many bytes.</summary>
    public int? TruncateAt { get; set; }

    /// <summary>When set, every response stops sending after this many bytes and holds the connection open for <see cref="StallFor"/>.</summary>
    public int? StallAt { get; set; }

    public TimeSpan StallFor { get; set; } = TimeSpan.FromSeconds(10);

    public int Requests;

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private void Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = _listener.GetContext(); }
            catch (Exception) { return; }
            ThreadPool.QueueUserWorkItem(_ => Respond(ctx));
        }
    }

    private void Respond(HttpListenerContext ctx)
    {
        Interlocked.Increment(ref Requests);
        try
        {
            string path = ctx.Request.Url!.AbsolutePath.TrimStart('/');
            if (!_files.TryGetValue(path, out byte[]? body))
            {
                ctx.Response.StatusCode = 404;
                ctx.Response.Close();
                return;
            }
            ctx.Response.ContentLength64 = body.Length;
            Stream o = ctx.Response.OutputStream;
            if (TruncateAt is int cut)
            {
                o.Write(body, 0, Math.Min(cut, body.Length));
                o.Flush();
                ctx.Response.Abort();
                return;
            }
            if (StallAt is int stall)
            {
                o.Write(body, 0, Math.Min(stall, body.Length));
                o.Flush();
                _stopped.Wait(StallFor); // until the test ends, at most StallFor
                ctx.Response.Abort();
                return;
            }
            if (BytesPerSecond <= 0) o.Write(body);
            else
            {
                int chunk = Math.Max(1, BytesPerSecond / 20);
                for (int i = 0; i < body.Length; i += chunk)
                {
                    o.Write(body, i, Math.Min(chunk, body.Length - i));
                    o.Flush();
                    Thread.Sleep(50);
                }
            }
            ctx.Response.Close();
        }
        catch (Exception)
        {
            // the client went away (e.g. a killed process); nothing to do
        }
    }

    public void Dispose()
    {
        _stopped.Set();
        try { _listener.Stop(); _listener.Close(); } catch (ObjectDisposedException) { }
    }
}
