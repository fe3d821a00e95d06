using SharpGrad.Data.Images;

namespace SharpGrad.Data;

/// <summary>Image files to tensors, as the seed's <c>tensor(Image.open(path))</c>.</summary>
public static class ImageTensor
{
    /// <summary>The image at <paramref name="path"/> as uint8 pixels: <c>[H, W]</c> when grayscale, <c>[H, W, 3]</c> when colour.</summary>
    /// <exception cref="ImageDecodeException">Not a readable PNG, JPEG or BMP; the message names the file.</exception>
    public static Tensor Load(string path) => FromImage(ImageDecoder.Decode(File.ReadAllBytes(path), path));

    /// <summary>Decoded pixels as a uint8 tensor <c>[H, W]</c> or <c>[H, W, 3]</c>.</summary>
    public static Tensor FromImage(Image image) =>
        image.Channels == 1 ? Tensor.From(image.Pixels, [image.Height, image.Width]) : Tensor.From(image.Pixels, [image.Height, image.Width, image.Channels]);
}
