namespace SharpGrad.IO;

/// <summary>How an image file becomes a model input: decoded to <see cref="Channels"/> channels (1 gray, 3 RGB), required to be <see cref="Height"/>×<see cref="Width"/>, scaled to 0..1.</summary>
/// <param name="Channels">1 or 3.</param>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns.</param>
public sealed record ImageInput(int Channels, int Height, int Width)
{
    /// <summary>The image file at <paramref name="path"/> as a float tensor <c>[C, H, W]</c> in 0..1.</summary>
    /// <exception cref="InvalidDataException">The image has another size; the message names the file and both sizes.</exception>
    public Tensor Load(string path)
    {
        Data.Images.Image image = Data.Images.ImageDecoder.Decode(File.ReadAllBytes(path), path);
        if (image.Width != Width || image.Height != Height)
            throw new InvalidDataException($"{path}: the image is {image.Width}x{image.Height}, but the model takes {Width}x{Height} images.");
        image = Channels == 1 && image.Channels == 3 ? image.ToGray() : Channels == 3 && image.Channels == 1 ? image.ToRgb() : image;
        Tensor hwc = Tensor.From(image.Pixels, [Height, Width, Channels]);
        return hwc.Permute(2, 0, 1).Float() / 255f;
    }
}
