using System.Text.Json.Nodes;
using SharpGrad.Data.Images;

namespace SharpGrad.Data;

/// <summary>
/// A per-image transform applied to decoded pixels before batching (fastai's <c>item_tfms</c>): on the training set
/// with fresh randomness for every draw, on the validation set (and at prediction) in its deterministic form. Every
/// transform gives images of one size, <see cref="Height"/>×<see cref="Width"/>, so images of any size batch together.
/// </summary>
public abstract class ItemTransform
{
    /// <summary>Output height in pixels.</summary>
    public abstract int Height { get; }

    /// <summary>Output width in pixels.</summary>
    public abstract int Width { get; }

    /// <summary>The transformed image: random when <paramref name="training"/>, drawing from <paramref name="random"/>; deterministic otherwise.</summary>
    public abstract Image Apply(Image image, bool training, Generator random);

    /// <summary>The transform's parameters as JSON, so an exported model can redo its validation form.</summary>
    public abstract JsonObject Describe();

    /// <summary>Rebuilds a transform from <see cref="Describe"/>'s JSON.</summary>
    /// <exception cref="InvalidDataException">Unknown or malformed description.</exception>
    public static ItemTransform FromDescription(JsonNode spec)
    {
        try
        {
            string type = spec["type"]?.GetValue<string>() ?? throw new InvalidDataException($"Item transform without a type: {spec.ToJsonString()}");
            (int h, int w) = (spec["height"]!.GetValue<int>(), spec["width"]!.GetValue<int>());
            return type switch
            {
                "Resize" => new Resize((h, w), Enum.Parse<ResizeMethod>(spec["method"]!.GetValue<string>()), Enum.Parse<PadMode>(spec["pad_mode"]!.GetValue<string>())),
                "RandomResizedCrop" => new RandomResizedCrop((h, w), spec["min_scale"]!.GetValue<double>(),
                    (spec["ratio"]![0]!.GetValue<double>(), spec["ratio"]![1]!.GetValue<double>()), spec["val_xtra"]!.GetValue<double>()),
                "CenterCrop" => new CenterCrop((h, w), Enum.Parse<PadMode>(spec["pad_mode"]!.GetValue<string>())),
                _ => throw new InvalidDataException($"Unknown item transform '{type}'."),
            };
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"Malformed item transform {spec.ToJsonString()}: {e.Message}", e);
        }
    }

    /// <summary>Checks a requested size.</summary>
    protected static (int Height, int Width) CheckSize((int Height, int Width) size, string who)
    {
        if (size.Height < 1 || size.Width < 1)
            throw new ArgumentOutOfRangeException(nameof(size), $"{who}: the size must be positive, got {size.Height}x{size.Width} (height x width).");
        if (size.Height > 16384 || size.Width > 16384)
            throw new ArgumentOutOfRangeException(nameof(size), $"{who}: {size.Height}x{size.Width} is larger than the 16384-pixel limit per side.");
        return size;
    }

    /// <summary>Python's <c>n // 2</c>: halves rounding toward negative infinity (a centred box larger than the image starts at a negative offset).</summary>
    internal static int FloorHalf(int n) => n >= 0 ? n / 2 : -((-n + 1) / 2);

    /// <summary>
    /// fastai's <c>crop_pad</c>: the <paramref name="w"/>×<paramref name="h"/> box at (<paramref name="x"/>, <paramref name="y"/>)
    /// (parts outside the image padded by <paramref name="padMode"/>), then resized to <paramref name="resizeTo"/> when given.
    /// </summary>
    internal static Image CropPad(Image image, int w, int h, int x, int y, PadMode padMode, (int W, int H)? resizeTo = null)
    {
        if (resizeTo is { } size && x >= 0 && y >= 0 && x + w <= image.Width && y + h <= image.Height)
            return ImageGeometry.ResizeRegion(image, x, y, w, h, size.W, size.H); // the box lies inside: resample it in place
        if (x >= 0 || y >= 0)
        {
            int cx = Math.Max(x, 0), cy = Math.Max(y, 0);
            int cw = Math.Min(cx + w, image.Width) - cx, ch = Math.Min(cy + h, image.Height) - cy;
            if (cx != 0 || cy != 0 || cw != image.Width || ch != image.Height) image = image.Crop(cx, cy, cw, ch);
        }
        if (x < 0 || y < 0)
        {
            int px = Math.Max(-x, 0), py = Math.Max(-y, 0);
            int fx = Math.Max(w - image.Width - px, 0), fy = Math.Max(h - image.Height - py, 0);
            image = image.Pad(px, py, fx, fy, padMode);
        }
        return resizeTo is { } r ? image.Resize(r.W, r.H) : image;
    }
}

/// <summary>How <see cref="Resize"/> fits an image of another shape (fastai's <c>ResizeMethod</c>).</summary>
public enum ResizeMethod
{
    /// <summary>Scale so the image covers the target, then crop: a random crop when training, the centre otherwise. fastai's default.</summary>
    Crop,

    /// <summary>Scale so the image fits inside the target, then pad the rest (reflection by default).</summary>
    Pad,

    /// <summary>Scale each axis to the target, changing the aspect ratio.</summary>
    Squish,
}
