using System.Text.Json.Nodes;
using SharpGrad.Data.Images;

namespace SharpGrad.Data;

/// <summary>
/// fastai's <c>CropPad(size)</c>: the centre <see cref="ItemTransform.Height"/>×<see cref="ItemTransform.Width"/> box of
/// the image, padded (zeros by default) where the image is smaller; no resampling. The same in training and validation.
/// </summary>
public sealed class CenterCrop : ItemTransform
{
    private readonly (int H, int W) _size;

    /// <summary>A <paramref name="size"/>×<paramref name="size"/> centre crop.</summary>
    public CenterCrop(int size, PadMode padMode = PadMode.Zeros) : this((size, size), padMode) { }

    /// <summary>A centre crop of <paramref name="size"/> (height, width).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size that is not positive, or over 16384.</exception>
    public CenterCrop((int Height, int Width) size, PadMode padMode = PadMode.Zeros)
    {
        _size = CheckSize(size, "CenterCrop");
        PadMode = padMode;
    }

    /// <inheritdoc/>
    public override int Height => _size.H;

    /// <inheritdoc/>
    public override int Width => _size.W;

    /// <summary>How the outside is filled when the image is smaller than the crop.</summary>
    public PadMode PadMode { get; }

    /// <inheritdoc/>
    public override Image Apply(Image image, bool training, Generator random) =>
        CropPad(image, Width, Height, FloorHalf(image.Width - Width), FloorHalf(image.Height - Height), PadMode);

    /// <inheritdoc/>
    public override JsonObject Describe() => new() { ["type"] = "CenterCrop", ["height"] = Height, ["width"] = Width, ["pad_mode"] = PadMode.ToString() };

    /// <inheritdoc/>
    public override string ToString() => $"CenterCrop({Height}x{Width})";
}
