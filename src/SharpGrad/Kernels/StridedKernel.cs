namespace SharpGrad.Kernels;

/// <summary>
/// The micro-kernel with A read in place that the channels-last convolutions multiply with: <see cref="GemmKernels512"/>
/// (tiles of 14 rows × 32 columns) with AVX-512, <see cref="GemmKernels256"/> (6 × 16) with AVX2 and FMA, none
/// otherwise (those convs then stay on the images layout). B is packed in panels of <see cref="Width"/> columns.
/// </summary>
internal static unsafe class StridedKernel
{
    /// <summary>Rows of a full tile: the packed GEMM's own (14 or 6), or 0 when there is no such kernel.</summary>
    public static int Rows { get; } = Gemm.Kernel.MR is 14 or 6 ? Gemm.Kernel.MR : 0;

    /// <summary>Columns of a B panel: 32 with AVX-512, 16 with AVX2.</summary>
    public static int Width { get; } = Gemm.Kernel.MR == 14 ? 32 : 16;

    /// <summary>Whether this process has the kernel.</summary>
    public static bool Available => Rows > 0;

    /// <summary>Entry points by row count (1 to <see cref="Rows"/>), the signature of <see cref="GemmKernels512.ByRows"/>.</summary>
    public static delegate*<int, float*, nint, nint, float*, nint, bool, float*, nint, int, bool, void>[] ByRows { get; } =
        Gemm.Kernel.MR == 14 ? GemmKernels512.ByRows : GemmKernels256.ByRows;
}
