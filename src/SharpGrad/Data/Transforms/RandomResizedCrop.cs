using System.Text.Json.Nodes;
using SharpGrad.Data.Images;

namespace SharpGrad.Data;

/// <summary>
/// fastai's <c>RandomResizedCrop(size, min_scale, ratio)</c>: when training, a box covering a random
/// <see cref="MinScale"/>..1 of the image's area with a random aspect ratio in <see cref="Ratio"/> (log-uniform), at a
/// random place, resized to the target; after ten failed draws, the largest centred box of an allowed ratio. Otherwise
/// the whole image resized to the target plus <see cref="ValXtra"/> (rounded up to 8 pixels) and centre-cropped.
/// </summary>
public sealed class RandomResizedCrop : ItemTransform
{
    private readonly (int H, int W) _size;

    /// <summary>To <paramref name="size"/>×<paramref name="size"/>.</summary>
    public RandomResizedCrop(int size, double minScale = 0.08, (double Low, double High)? ratio = null, double valXtra = 0.14)
        : this((size, size), minScale, ratio, valXtra) { }

    /// <summary>To <paramref name="size"/> (height, width).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size that is not positive, <paramref name="minScale"/> outside (0, 1], a bad ratio range, or a negative <paramref name="valXtra"/>.</exception>
    public RandomResizedCrop((int Height, int Width) size, double minScale = 0.08, (double Low, double High)? ratio = null, double valXtra = 0.14)
    {
        _size = CheckSize(size, "RandomResizedCrop");
        if (!(minScale > 0 && minScale <= 1))
            throw new ArgumentOutOfRangeException(nameof(minScale), minScale, $"RandomResizedCrop: minScale must be in (0, 1], got {minScale}.");
        (double lo, double hi) = ratio ?? (3.0 / 4, 4.0 / 3);
        if (!(lo > 0 && hi >= lo && double.IsFinite(hi)))
            throw new ArgumentOutOfRangeException(nameof(ratio), $"RandomResizedCrop: ratio must satisfy 0 < low <= high, got ({lo}, {hi}).");
        if (!(valXtra >= 0)) throw new ArgumentOutOfRangeException(nameof(valXtra), valXtra, "RandomResizedCrop: valXtra must be non-negative.");
        MinScale = minScale;
        Ratio = (lo, hi);
        ValXtra = valXtra;
    }

    /// <inheritdoc/>
    public override int Height => _size.H;

    /// <inheritdoc/>
    public override int Width => _size.W;

    /// <summary>The smallest fraction of the image's area a training crop covers.</summary>
    public double MinScale { get; }

    /// <summary>The range of a training crop's aspect ratio (width / height).</summary>
    public (double Low, double High) Ratio { get; }

    /// <summary>How much larger than the target (as a fraction) a validation image is resized before its centre crop.</summary>
    public double ValXtra { get; }

    /// <inheritdoc/>
    public override Image Apply(Image image, bool training, Generator random)
    {
        int w = image.Width, h = image.Height;
        if (!training)
        {
            int xtra = (int)Math.Ceiling(Math.Max(Width, Height) * ValXtra / 8) * 8;
            Image resized = CropPad(image, w, h, 0, 0, PadMode.Zeros, (Width + xtra, Height + xtra));
            return CropPad(resized, Width, Height, (resized.Width - Width) / 2, (resized.Height - Height) / 2, PadMode.Zeros);
        }
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double area = (MinScale + (1 - MinScale) * random.NextDouble()) * w * h;
            double ratio = Math.Exp(Math.Log(Ratio.Low) + (Math.Log(Ratio.High) - Math.Log(Ratio.Low)) * random.NextDouble());
            int nw = (int)Math.Round(Math.Sqrt(area * ratio), MidpointRounding.ToEven);
            int nh = (int)Math.Round(Math.Sqrt(area / ratio), MidpointRounding.ToEven);
            if (nw <= w && nh <= h && nw > 0 && nh > 0)
                return Crop(image, nw, nh, (int)random.NextInt64(0, w - nw + 1), (int)random.NextInt64(0, h - nh + 1));
        }
        (int cw, int ch) = (double)w / h < Ratio.Low ? (w, (int)(w / Ratio.Low))
                         : (double)w / h > Ratio.High ? ((int)(h * Ratio.High), h)
                         : (w, h);
        return Crop(image, cw, ch, (w - cw) / 2, (h - ch) / 2);
    }

    /// <summary>The training form for a given box: the <paramref name="w"/>×<paramref name="h"/> region at (<paramref name="x"/>, <paramref name="y"/>) resized to the target.</summary>
    internal Image Crop(Image image, int w, int h, int x, int y) => CropPad(image, Math.Max(w, 1), Math.Max(h, 1), x, y, PadMode.Zeros, (Width, Height));

    /// <inheritdoc/>
    public override JsonObject Describe() => new()
    {
        ["type"] = "RandomResizedCrop", ["height"] = Height, ["width"] = Width, ["min_scale"] = MinScale,
        ["ratio"] = new JsonArray(Ratio.Low, Ratio.High), ["val_xtra"] = ValXtra,
    };

    /// <inheritdoc/>
    public override string ToString() => $"RandomResizedCrop({Height}x{Width}, minScale {MinScale})";
}
