using System.Text.Json.Nodes;
using SharpGrad.Data.Images;

namespace SharpGrad.Data;

/// <summary>
/// fastai's <c>Resize(size, method)</c>: every image to <see cref="ItemTransform.Height"/>×<see cref="ItemTransform.Width"/>.
/// <see cref="ResizeMethod.Crop"/> takes the largest box of the target's shape (at a random place when training, in the
/// centre otherwise) and resizes it; <see cref="ResizeMethod.Pad"/> takes the smallest box of that shape holding the whole
/// image, padding the outside; <see cref="ResizeMethod.Squish"/> resizes the whole image. Resampling is PIL's bilinear.
/// </summary>
public sealed class Resize : ItemTransform
{
    private readonly (int H, int W) _size;

    /// <summary>To <paramref name="size"/>×<paramref name="size"/>.</summary>
    public Resize(int size, ResizeMethod method = ResizeMethod.Crop, PadMode padMode = PadMode.Reflection) : this((size, size), method, padMode) { }

    /// <summary>To <paramref name="size"/> (height, width).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size that is not positive, or over 16384.</exception>
    public Resize((int Height, int Width) size, ResizeMethod method = ResizeMethod.Crop, PadMode padMode = PadMode.Reflection)
    {
        _size = CheckSize(size, "Resize");
        Method = method;
        PadMode = padMode;
    }

    /// <inheritdoc/>
    public override int Height => _size.H;

    /// <inheritdoc/>
    public override int Width => _size.W;

    /// <summary>How an image of another shape is fitted.</summary>
    public ResizeMethod Method { get; }

    /// <summary>How <see cref="ResizeMethod.Pad"/> fills the outside.</summary>
    public PadMode PadMode { get; }

    /// <inheritdoc/>
    public override Image Apply(Image image, bool training, Generator random) =>
        training && Method != ResizeMethod.Squish ? Apply(image, random.NextDouble(), random.NextDouble()) : Apply(image, 0.5, 0.5);

    /// <summary>The transform with the crop placed at fractions (<paramref name="pctX"/>, <paramref name="pctY"/>) of the free space (0.5, 0.5: centred).</summary>
    internal Image Apply(Image image, double pctX, double pctY)
    {
        int w = image.Width, h = image.Height;
        if (Method == ResizeMethod.Squish) return CropPad(image, w, h, 0, 0, PadMode, (Width, Height));
        double rx = (double)w / Width, ry = (double)h / Height;
        double m = Method == ResizeMethod.Crop ? (rx < ry ? rx : ry) : (rx > ry ? rx : ry);
        int cw = (int)(m * Width), ch = (int)(m * Height);
        if (cw < 1 || ch < 1)
            throw new ArgumentException($"Resize: a {w}x{h} image is too small to crop to the {Width}:{Height} shape; use ResizeMethod.Squish or Pad.");
        return CropPad(image, cw, ch, (int)(pctX * (w - cw)), (int)(pctY * (h - ch)), PadMode, (Width, Height));
    }

    /// <inheritdoc/>
    public override JsonObject Describe() => new()
    {
        ["type"] = "Resize", ["height"] = Height, ["width"] = Width, ["method"] = Method.ToString(), ["pad_mode"] = PadMode.ToString(),
    };

    /// <inheritdoc/>
    public override string ToString() => $"Resize({Height}x{Width}, {Method}{(Method == ResizeMethod.Pad ? $", {PadMode}" : "")})";
}
