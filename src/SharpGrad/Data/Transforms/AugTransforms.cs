using System.Runtime.CompilerServices;
using System.Buffers;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpGrad.Data.Images;
using SharpGrad.Kernels;

namespace SharpGrad.Data;

/// <summary>
/// fastai's <c>aug_transforms()</c> with its defaults and names, on training batches: a random left-right flip, rotation,
/// zoom and perspective warp composed per image into one sampling grid and applied by a single bilinear grid-sample pass
/// (reflection padding), then brightness and contrast on the logit scale. Each part happens to an image with its own
/// probability (<see cref="PAffine"/> for rotation, zoom and warp; 0.5 for the flip; <see cref="PLighting"/> for lighting).
/// Validation batches pass through unchanged.
/// </summary>
public sealed class AugTransforms : BatchTransform
{
    /// <summary>fastai's defaults: flip, rotate up to 10°, zoom 1 to 1.1, warp 0.2, lighting 0.2, p 0.75 each.</summary>
    public AugTransforms(bool doFlip = true, bool flipVert = false, double maxRotate = 10, double minZoom = 1, double maxZoom = 1.1,
                         double maxLighting = 0.2, double maxWarp = 0.2, double pAffine = 0.75, double pLighting = 0.75,
                         PadMode padMode = PadMode.Reflection)
    {
        if (!(minZoom > 0 && maxZoom >= minZoom)) throw new ArgumentOutOfRangeException(nameof(minZoom), $"AugTransforms: need 0 < minZoom <= maxZoom, got {minZoom} and {maxZoom}.");
        if (!(maxLighting is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(maxLighting), maxLighting, "AugTransforms: maxLighting must be in [0, 1).");
        if (!(maxWarp >= 0) || !(maxRotate >= 0)) throw new ArgumentOutOfRangeException(nameof(maxWarp), "AugTransforms: maxWarp and maxRotate must be non-negative.");
        if (!(pAffine is >= 0 and <= 1) || !(pLighting is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(pAffine), "AugTransforms: probabilities must be in [0, 1].");
        (DoFlip, FlipVert, MaxRotate, MinZoom, MaxZoom, MaxLighting, MaxWarp, PAffine, PLighting, PadMode) =
            (doFlip, flipVert, maxRotate, minZoom, maxZoom, maxLighting, maxWarp, pAffine, pLighting, padMode);
    }

    /// <summary>Flip left-right with probability 0.5.</summary>
    public bool DoFlip { get; }

    /// <summary>Also flip vertically and transpose (fastai's dihedral group) instead of only left-right.</summary>
    public bool FlipVert { get; }

    /// <summary>Largest rotation in degrees, either way.</summary>
    public double MaxRotate { get; }

    /// <summary>Smallest zoom factor.</summary>
    public double MinZoom { get; }

    /// <summary>Largest zoom factor.</summary>
    public double MaxZoom { get; }

    /// <summary>Largest change of brightness and contrast.</summary>
    public double MaxLighting { get; }

    /// <summary>Largest perspective warp (corner displacement in [-1, 1] coordinates).</summary>
    public double MaxWarp { get; }

    /// <summary>Probability of each of rotation, zoom and warp.</summary>
    public double PAffine { get; }

    /// <summary>Probability of each of brightness and contrast.</summary>
    public double PLighting { get; }

    /// <summary>How points outside the image are filled.</summary>
    public PadMode PadMode { get; }

    /// <inheritdoc/>
    public override Tensor Apply(Tensor batch, bool training, Generator random) => Apply(batch, training, random, inPlace: false);

    /// <inheritdoc/>
    internal override Tensor Apply(Tensor batch, bool training, Generator random, bool inPlace)
    {
        if (!training) return batch;
        if (batch.NDim != 4) throw new ArgumentException($"AugTransforms: expected a batch [N, C, H, W], got shape {batch.Shape}.");
        int n = batch.Size(0), c = batch.Size(1), h = batch.Size(2), w = batch.Size(3);
        Tensor x = batch.Contiguous();
        var draws = new Draw[n];
        for (int i = 0; i < n; i++) draws[i] = DrawOne(random);
        // In place (a batch the loader has just collated): each image is sampled into a scratch image and copied back,
        // which spares a batch-sized allocation (38 MB at 64x3x224x224) and its fresh pages every batch.
        Tensor output = inPlace ? x : Tensor.Uninitialized([n, c, h, w]); // every element is written below
        float[] src = (float[])x.Storage, dst = (float[])output.Storage;
        int srcOffset = x.Offset, dstOffset = output.Offset, size = c * h * w;
        Parallel.For(0, n, i =>
        {
            ReadOnlySpan<float> image = src.AsSpan(srcOffset + i * size, size);
            Span<float> result = dst.AsSpan(dstOffset + i * size, size);
            Draw d = draws[i];
            if (d.IsIdentityGeometry)
            {
                if (!inPlace) image.CopyTo(result);
            }
            else
            {
                float[] grid = ArrayPool<float>.Shared.Rent(2 * h * w);
                float[]? scratch = inPlace ? ArrayPool<float>.Shared.Rent(size) : null;
                try
                {
                    Grid(grid, d, h, w);
                    Span<float> target = scratch is null ? result : scratch.AsSpan(0, size);
                    GridSample.Bilinear(target, image, grid, c, h, w, h, w, PadMode);
                    if (scratch is not null) target.CopyTo(result);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(grid);
                    if (scratch is not null) ArrayPool<float>.Shared.Return(scratch);
                }
            }
            if (d.Brightness != 0.5 || d.Contrast != 1) Lighting(result, d.Brightness, d.Contrast);
        });
        return output;
    }

    /// <summary>One image's random choices; neutral values where a part does not happen.</summary>
    internal readonly record struct Draw(bool Flip, int Dihedral, double Theta, double Scale, double ColPct, double RowPct, double WarpX, double WarpY,
                                        double Brightness, double Contrast)
    {
        public bool IsIdentityGeometry => !Flip && Dihedral == 0 && Theta == 0 && Scale == 1 && WarpX == 0 && WarpY == 0;
    }

    internal Draw DrawOne(Generator g)
    {
        double U(double lo, double hi) => lo + (hi - lo) * g.NextDouble();
        bool Happens(double p) => p >= 1 || g.NextDouble() < p;
        bool flip = DoFlip && !FlipVert && Happens(0.5);
        int dihedral = DoFlip && FlipVert && Happens(0.5) ? (int)g.NextInt64(0, 8) : 0;
        double warpX = MaxWarp > 0 && Happens(PAffine) ? U(-MaxWarp, MaxWarp) : 0;
        double warpY = MaxWarp > 0 && Happens(PAffine) ? U(-MaxWarp, MaxWarp) : 0;
        double theta = MaxRotate > 0 && Happens(PAffine) ? U(-MaxRotate, MaxRotate) * Math.PI / 180 : 0;
        bool zoom = (MinZoom < 1 || MaxZoom > 1) && Happens(PAffine);
        double scale = zoom ? 1 / U(MinZoom, MaxZoom) : 1;
        double col = zoom ? g.NextDouble() : 0.5, row = zoom ? g.NextDouble() : 0.5;
        double brightness = MaxLighting > 0 && Happens(PLighting) ? U(0.5 * (1 - MaxLighting), 0.5 * (1 + MaxLighting)) : 0.5;
        double contrast = MaxLighting > 0 && Happens(PLighting) ? Math.Exp(U(Math.Log(1 - MaxLighting), -Math.Log(1 - MaxLighting))) : 1;
        return new Draw(flip, dihedral, theta, scale, col, row, warpX, warpY, brightness, contrast);
    }

    /// <summary>
    /// The sampling grid (OH, OW, 2) of one image: output points in [-1, 1] through fastai's affine matrix (flip, then
    /// rotation, then zoom, with the aspect correction of <c>_prepare_mat</c>), then the perspective warp.
    /// </summary>
    internal static void Grid(Span<float> grid, Draw d, int h, int w, bool simd = true)
    {
        // 3x3 matrices, row-major; composed as fastai does: I @ flip @ rotate @ zoom.
        double[] m = [1, 0, 0, 0, 1, 0, 0, 0, 1];
        if (d.Flip) m = Mul(m, [-1, 0, 0, 0, 1, 0, 0, 0, 1]);
        if (d.Dihedral != 0) m = Mul(m, DihedralMatrix(d.Dihedral));
        if (d.Theta != 0) m = Mul(m, [Math.Cos(d.Theta), Math.Sin(d.Theta), 0, -Math.Sin(d.Theta), Math.Cos(d.Theta), 0, 0, 0, 1]);
        if (d.Scale != 1)
            m = Mul(m, [d.Scale, 0, (1 - d.Scale) * (2 * d.ColPct - 1), 0, d.Scale, (1 - d.Scale) * (2 * d.RowPct - 1), 0, 0, 1]);
        m[1] *= (double)h / w;
        m[3] *= (double)w / h;
        double[]? warp = d.WarpX != 0 || d.WarpY != 0 ? Perspective(d.WarpX, d.WarpY) : null;
        for (int i = 0; i < h; i++)
        {
            double yo = h == 1 ? 0 : -1 + 2.0 * i / (h - 1);
            int j = simd && w > 1 && Avx.IsSupported ? GridRow4(grid.Slice(2 * i * w, 2 * w), m, warp, yo, w) : 0;
            for (; j < w; j++)
            {
                double xo = w == 1 ? 0 : -1 + 2.0 * j / (w - 1);
                double xi = m[0] * xo + m[1] * yo + m[2], yi = m[3] * xo + m[4] * yo + m[5];
                if (warp is not null)
                {
                    double px = warp[0] * xi + warp[1] * yi + warp[2], py = warp[3] * xi + warp[4] * yi + warp[5], pz = warp[6] * xi + warp[7] * yi + 1;
                    if (pz != 0) (xi, yi) = (px / pz, py / pz);
                }
                grid[2 * (i * w + j)] = (float)xi;
                grid[2 * (i * w + j) + 1] = (float)yi;
            }
        }
    }

    /// <summary>
    /// One grid row, four points at a time in double lanes: the scalar loop's operations in the same order (no fused
    /// multiply-adds), so the same floats. Returns how many points it wrote.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int GridRow4(Span<float> row, double[] m, double[]? warp, double yo, int w)
    {
        Vector256<double> step = Vector256.Create(0.0, 1, 2, 3), two = Vector256.Create(2.0), last = Vector256.Create((double)(w - 1)), minusOne = Vector256.Create(-1.0);
        Vector256<double> m0 = Vector256.Create(m[0]), m1y = Vector256.Create(m[1] * yo), m2 = Vector256.Create(m[2]);
        Vector256<double> m3 = Vector256.Create(m[3]), m4y = Vector256.Create(m[4] * yo), m5 = Vector256.Create(m[5]);
        int j = 0;
        fixed (float* g = row)
        {
            for (; j <= w - 4; j += 4)
            {
                Vector256<double> xo = minusOne + two * (Vector256.Create((double)j) + step) / last;
                Vector256<double> xi = m0 * xo + m1y + m2, yi = m3 * xo + m4y + m5;
                if (warp is not null)
                {
                    Vector256<double> px = Vector256.Create(warp[0]) * xi + Vector256.Create(warp[1]) * yi + Vector256.Create(warp[2]);
                    Vector256<double> py = Vector256.Create(warp[3]) * xi + Vector256.Create(warp[4]) * yi + Vector256.Create(warp[5]);
                    Vector256<double> pz = Vector256.Create(warp[6]) * xi + Vector256.Create(warp[7]) * yi + Vector256<double>.One;
                    Vector256<double> keep = Vector256.Equals(pz, Vector256<double>.Zero);
                    xi = Vector256.ConditionalSelect(keep, xi, px / pz);
                    yi = Vector256.ConditionalSelect(keep, yi, py / pz);
                }
                Vector128<float> xf = Avx.ConvertToVector128Single(xi), yf = Avx.ConvertToVector128Single(yi);
                Sse.Store(g + 2 * j, Sse.UnpackLow(xf, yf));
                Sse.Store(g + 2 * j + 4, Sse.UnpackHigh(xf, yf));
            }
        }
        return j;
    }

    private static double[] Mul(double[] a, double[] b)
    {
        var r = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                r[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
        return r;
    }

    /// <summary>fastai's dihedral_mat: k in 1..7 flips x (1, 3, 4, 7), y (2, 4, 5, 7) and transposes (3, 5, 6, 7).</summary>
    private static double[] DihedralMatrix(int k)
    {
        double x = k is 1 or 3 or 4 or 7 ? -1 : 1, y = k is 2 or 4 or 5 or 7 ? -1 : 1;
        return k is 3 or 5 or 6 or 7 ? [0, x, 0, y, 0, 0, 0, 0, 1] : [x, 0, 0, 0, y, 0, 0, 0, 1];
    }

    /// <summary>
    /// fastai's warp: the homography taking the corners moved by (<paramref name="mx"/>, <paramref name="my"/>) back to
    /// the square's corners (<c>find_coeffs(orig_pts, targ_pts)</c>), as 8 coefficients of a 3x3 matrix with 1 last.
    /// </summary>
    private static double[] Perspective(double mx, double my)
    {
        double[,] orig = { { -1, -1 }, { -1, 1 }, { 1, -1 }, { 1, 1 } };
        double[,] targ = { { -1 - my, -1 - mx }, { -1 + my, 1 + mx }, { 1 + my, -1 + mx }, { 1 - my, 1 - mx } };
        var a = new double[8, 8];
        var b = new double[8];
        for (int i = 0; i < 4; i++)
        {
            double px = orig[i, 0], py = orig[i, 1], tx = targ[i, 0], ty = targ[i, 1];
            double[] r0 = [tx, ty, 1, 0, 0, 0, -px * tx, -px * ty], r1 = [0, 0, 0, tx, ty, 1, -py * tx, -py * ty];
            for (int j = 0; j < 8; j++) { a[2 * i, j] = r0[j]; a[2 * i + 1, j] = r1[j]; }
            b[2 * i] = px;
            b[2 * i + 1] = py;
        }
        return Solve(a, b);
    }

    /// <summary>Gaussian elimination with partial pivoting.</summary>
    private static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++) if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col])) pivot = r;
            for (int j = 0; j < n; j++) (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
            (b[col], b[pivot]) = (b[pivot], b[col]);
            for (int r = col + 1; r < n; r++)
            {
                double f = a[r, col] / a[col, col];
                for (int j = col; j < n; j++) a[r, j] -= f * a[col, j];
                b[r] -= f * b[col];
            }
        }
        var x = new double[n];
        for (int r = n - 1; r >= 0; r--)
        {
            double s = b[r];
            for (int j = r + 1; j < n; j++) s -= a[r, j] * x[j];
            x[r] = s / a[r, r];
        }
        return x;
    }

    /// <summary>
    /// fastai's LightingTfm with Brightness then Contrast: <c>sigmoid((logit(x) + logit(b)) * c)</c>, x clamped to
    /// [1e-7, 1 - 1e-7] first. Computed in the equal closed form <c>1 / (1 + ((1 - b) / b)^c * ((1 - x) / x)^c)</c>,
    /// which needs no logarithm or exponential per pixel when the contrast is 1 and one of each otherwise, in one fused
    /// SIMD pass (the power as <c>exp(c * log(r))</c>; TensorPrimitives.Pow took half of the augmentation's time).
    /// The tail runs through the same vector code on a padded copy, so every pixel gets the same arithmetic.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Lighting(Span<float> x, double brightness, double contrast)
    {
        float k = (float)Math.Pow((1 - brightness) / brightness, contrast), c = (float)contrast;
        int i = 0, n = Vector256<float>.Count;
        for (; i <= x.Length - n; i += n)
            Light(Vector256.Create<float>(x[i..]), k, c).CopyTo(x[i..]);
        if (i < x.Length)
        {
            Span<float> tail = stackalloc float[n];
            tail.Fill(0.5f);
            x[i..].CopyTo(tail);
            Light(Vector256.Create<float>(tail), k, c).CopyTo(tail);
            tail[..(x.Length - i)].CopyTo(x[i..]);
        }
    }

    private static Vector256<float> Light(Vector256<float> x, float k, float c)
    {
        Vector256<float> one = Vector256<float>.One;
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(1e-7f)), Vector256.Create(1 - 1e-7f));
        Vector256<float> r = one / x - one; // (1 - x) / x
        if (c != 1f) r = Vector256.Exp(Vector256.Log(r) * c);
        return one / (r * k + one);
    }
}
