namespace SharpGrad.Data.Images;

/// <summary>The seven passes of Adam7 interlacing (PNG spec section 8.2): each samples every <c>dx</c>-th pixel from <c>x0</c> of every <c>dy</c>-th row from <c>y0</c>.</summary>
internal static class Adam7
{
    public const int Passes = 7;

    private static ReadOnlySpan<byte> X0 => [0, 4, 0, 2, 0, 1, 0];
    private static ReadOnlySpan<byte> Y0 => [0, 0, 4, 0, 2, 0, 1];
    private static ReadOnlySpan<byte> Dx => [8, 8, 4, 4, 2, 2, 1];
    private static ReadOnlySpan<byte> Dy => [8, 8, 8, 4, 4, 2, 2];

    /// <summary>The geometry of pass <paramref name="pass"/> (0 to 6) of a <paramref name="width"/> x <paramref name="height"/> image; a size may be 0, and then the pass is absent from the data.</summary>
    public static (int X0, int Y0, int Dx, int Dy, int Width, int Height) Pass(int pass, int width, int height)
    {
        int x0 = X0[pass], y0 = Y0[pass], dx = Dx[pass], dy = Dy[pass];
        int w = width > x0 ? (int)(((long)width - x0 + dx - 1) / dx) : 0;
        int h = height > y0 ? (int)(((long)height - y0 + dy - 1) / dy) : 0;
        return (x0, y0, dx, dy, w, h);
    }
}
