using SharpGrad.Data;
using SharpGrad.Data.Images;

namespace SharpGrad.IO;

/// <summary>
/// How an image file becomes a model input: decoded upright (EXIF orientation applied) to <see cref="Channels"/>
/// channels (1 gray, 3 RGB), passed through the validation form of <see cref="Transform"/> when there is one (so images
/// of any size work), required to be <see cref="Height"/>×<see cref="Width"/>, scaled to 0..1.
/// </summary>
/// <param name="Channels">1 or 3.</param>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns.</param>
/// <param name="Transform">The item transform the model was trained with, applied in its deterministic (validation) form; null for none.</param>
public sealed record ImageInput(int Channels, int Height, int Width, ItemTransform? Transform = null)
{
    /// <summary>The image file at <paramref name="path"/> as a float tensor <c>[C, H, W]</c> in 0..1.</summary>
    /// <exception cref="InvalidDataException">The image has another size and there is no transform; the message names the file and both sizes.</exception>
    public Tensor Load(string path)
    {
        Image image = ImageDecoder.DecodeUpright(File.ReadAllBytes(path), path);
        if (Channels == 1 && image.Channels == 3) image = image.ToGray();
        if (Transform is not null)
        {
            try
            {
                image = Transform.Apply(image, training: false, new Generator(0));
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{path}: {Transform} cannot be applied to this {image.Width}x{image.Height} image: {e.Message}", e);
            }
        }
        if (image.Width != Width || image.Height != Height)
            throw new InvalidDataException($"{path}: the image is {image.Width}x{image.Height}, but the model takes {Width}x{Height} images.");
        if (Channels == 3 && image.Channels == 1) image = image.ToRgb();
        Tensor hwc = Tensor.From(image.Pixels, [Height, Width, Channels]);
        return hwc.Permute(2, 0, 1).Float() / 255f;
    }
}
