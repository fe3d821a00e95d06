using System.Runtime.InteropServices;

namespace SharpGrad.Benchmarks;

/// <summary>OpenBLAS's <c>cblas_sgemm</c> through P/Invoke, installing Debian's <c>libopenblas0-pthread</c> when it is missing.</summary>
internal static unsafe class OpenBlas
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private static delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> s_sgemm;
    private static delegate* unmanaged<int, void> s_setThreads;

    public static string? LoadError { get; private set; }

    public static bool TryLoad(int threads)
    {
        if (s_sgemm != null) return true;
        if (!TryOpen(out nint lib))
        {
            Apt.Install("libopenblas0-pthread");
            if (!TryOpen(out lib))
            {
                LoadError = "could not load OpenBLAS (libopenblas.so.0) even after apt-get install libopenblas0-pthread";
                return false;
            }
        }
        s_sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)NativeLibrary.GetExport(lib, "cblas_sgemm");
        s_setThreads = (delegate* unmanaged<int, void>)NativeLibrary.GetExport(lib, "openblas_set_num_threads");
        s_setThreads(threads);
        return true;
    }

    private static bool TryOpen(out nint lib)
    {
        foreach (string name in new[] { "libopenblas.so.0", "libopenblas.so", "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0" })
            if (NativeLibrary.TryLoad(name, out lib) && NativeLibrary.TryGetExport(lib, "openblas_set_num_threads", out _)) return true;
        lib = 0;
        return false;
    }

    /// <summary>C (m×n, row-major) = op(A) · op(B), with A stored (m×k) or, transposed, (k×m); likewise B.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float* a, float* b, float* c)
    {
        int lda = transA ? m : k, ldb = transB ? k : n;
        s_sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);
    }
}
