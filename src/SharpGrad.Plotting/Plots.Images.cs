using System.Runtime.InteropServices;
using ScottPlot;
using SkiaSharp;

namespace SharpGrad.Plotting;

public static partial class Plots
{
    /// <summary>Blank space, in output pixels, around and between grid cells.</summary>
    private const int GridGap = 8;

    /// <summary>Font size, in pixels, of the titles above images.</summary>
    private const float ImageTitleFontSize = 12;

    /// <summary>
    /// fastai's <c>show_images</c>: a grid of images, each optionally with a title above it, with no axes or frames,
    /// on a white background. Each image pixel becomes a <paramref name="cellPixels"/> x <paramref name="cellPixels"/>
    /// square of output pixels (nearest neighbour, no smoothing).
    /// </summary>
    /// <param name="path">The PNG file to write (its folder is created; an existing file is replaced atomically).</param>
    /// <param name="images">The images, each <paramref name="height"/> * <paramref name="width"/> * <paramref name="channels"/> values,
    /// row-major. With 3 channels the layout is HWC (height, width, channel: <c>[(row * width + col) * 3 + c]</c>, c = R, G, B), not
    /// PyTorch's CHW; permute a CHW tensor first. Values run from 0 (black) to <paramref name="maxValue"/> (full intensity);
    /// values outside are clamped, NaN is drawn as 0.</param>
    /// <param name="height">Rows of every image (at least 1).</param>
    /// <param name="width">Columns of every image (at least 1).</param>
    /// <param name="channels">1 for grayscale (gray colour map, black = 0, white = <paramref name="maxValue"/>) or 3 for RGB.</param>
    /// <param name="titles">Optional titles, one per image (null or empty for none), drawn above each image.</param>
    /// <param name="columns">Images per row; 0 or less means ceil(sqrt(n)), as fastai; more than n means n.</param>
    /// <param name="cellPixels">Output pixels per image pixel along each side (at least 1).</param>
    /// <param name="maxValue">The value drawn at full intensity: 1 for data in 0..1 (default), 255 for data in 0..255. Finite and positive.</param>
    /// <exception cref="ArgumentException">A bad path, no images, a null image or one of the wrong length, a bad height, width, channel count,
    /// <paramref name="cellPixels"/> or <paramref name="maxValue"/>, a title count that is not the image count, or a grid over <see cref="MaxPixels"/>.</exception>
    public static void Images(
        string path,
        IReadOnlyList<float[]> images,
        int height,
        int width,
        int channels = 1,
        IReadOnlyList<string>? titles = null,
        int columns = 0,
        int cellPixels = 2,
        float maxValue = 1f)
    {
        ValidatePath(path);
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
            throw new ArgumentException("No images to show: the list is empty.", nameof(images));
        ValidateImageShape(height, width, channels, cellPixels, maxValue);
        long expected = (long)height * width * channels;
        for (int i = 0; i < images.Count; i++)
        {
            if (images[i] is null)
                throw new ArgumentNullException(nameof(images), $"images[{i}] is null.");
            if (images[i].Length != expected)
                throw new ArgumentException(
                    $"images[{i}] has {images[i].Length} values but height * width * channels = {height} * {width} * {channels} = {expected}.",
                    nameof(images));
        }
        if (titles is not null && titles.Count != images.Count)
            throw new ArgumentException($"There are {titles.Count} titles for {images.Count} images; give one per image (null or empty for none).", nameof(titles));

        RenderImageGrid(path, images, height, width, channels, titles, columns, cellPixels, maxValue);
    }

    /// <summary>
    /// fastai's <c>show_image</c>: one image, optionally with a title above it, with no axes or frame. See
    /// <see cref="Images"/> for the pixel layout (HWC for RGB) and value range.
    /// </summary>
    /// <param name="path">The PNG file to write (its folder is created; an existing file is replaced atomically).</param>
    /// <param name="pixels"><paramref name="height"/> * <paramref name="width"/> * <paramref name="channels"/> values, row-major, HWC for RGB.</param>
    /// <param name="height">Rows (at least 1).</param>
    /// <param name="width">Columns (at least 1).</param>
    /// <param name="channels">1 for grayscale (black = 0) or 3 for RGB.</param>
    /// <param name="title">Title above the image, or null for none.</param>
    /// <param name="cellPixels">Output pixels per image pixel along each side (at least 1); 4 by default, so a 28x28 digit is 112 pixels wide.</param>
    /// <param name="maxValue">The value drawn at full intensity: 1 for data in 0..1 (default), 255 for data in 0..255.</param>
    /// <exception cref="ArgumentException">As <see cref="Images"/>.</exception>
    public static void Image(
        string path,
        float[] pixels,
        int height,
        int width,
        int channels = 1,
        string? title = null,
        int cellPixels = 4,
        float maxValue = 1f)
    {
        ValidatePath(path);
        ArgumentNullException.ThrowIfNull(pixels);
        ValidateImageShape(height, width, channels, cellPixels, maxValue);
        long expected = (long)height * width * channels;
        if (pixels.Length != expected)
            throw new ArgumentException(
                $"pixels has {pixels.Length} values but height * width * channels = {height} * {width} * {channels} = {expected}.",
                nameof(pixels));

        RenderImageGrid(path, [pixels], height, width, channels, title is null ? null : [title], 1, cellPixels, maxValue);
    }

    private static void ValidateImageShape(int height, int width, int channels, int cellPixels, float maxValue)
    {
        if (height < 1 || height > MaxPixels)
            throw new ArgumentOutOfRangeException(nameof(height), height, $"The image height must be in 1..{MaxPixels}.");
        if (width < 1 || width > MaxPixels)
            throw new ArgumentOutOfRangeException(nameof(width), width, $"The image width must be in 1..{MaxPixels}.");
        if (channels != 1 && channels != 3)
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 (grayscale) or 3 (RGB, HWC order).");
        if (cellPixels < 1 || cellPixels > MaxPixels)
            throw new ArgumentOutOfRangeException(nameof(cellPixels), cellPixels, $"cellPixels must be in 1..{MaxPixels}.");
        if (!float.IsFinite(maxValue) || maxValue <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxValue), maxValue, "maxValue must be a positive finite number (1 for 0..1 data, 255 for 0..255).");
    }

    private static void RenderImageGrid(
        string path, IReadOnlyList<float[]> images, int height, int width, int channels,
        IReadOnlyList<string>? titles, int columns, int cellPixels, float maxValue)
    {
        int n = images.Count;
        int cols = columns <= 0 ? (int)Math.Ceiling(Math.Sqrt(n)) : Math.Min(columns, n);
        int rows = (n + cols - 1) / cols;
        bool anyTitle = titles is not null && titles.Any(t => !string.IsNullOrEmpty(t));

        PlotFont.EnsureRegistered();
        long imageWidth = (long)width * cellPixels, imageHeight = (long)height * cellPixels;
        long columnWidth = imageWidth;
        int band = 0;
        if (anyTitle)
        {
            using SKTypeface typeface = PlotFont.CreateTypeface(bold: false);
            using var font = new SKFont(typeface, ImageTitleFontSize);
            float widest = titles!.Where(t => !string.IsNullOrEmpty(t)).Max(t => font.MeasureText(t));
            columnWidth = Math.Max(columnWidth, (long)Math.Ceiling(widest) + 4);
            band = (int)Math.Ceiling(ImageTitleFontSize * 1.7);
        }
        long rowHeight = band + imageHeight;
        long totalWidth = GridGap + cols * (columnWidth + GridGap);
        long totalHeight = GridGap + rows * (rowHeight + GridGap);
        if (totalWidth > MaxPixels || totalHeight > MaxPixels)
            throw new ArgumentException(
                $"The image grid would be {totalWidth} x {totalHeight} pixels, more than {MaxPixels} on a side; use a smaller cellPixels or other columns.",
                nameof(cellPixels));
        int figureWidth = (int)totalWidth, figureHeight = (int)totalHeight;

        // The whole grid as one RGB buffer [y, x, c], white where there is no image.
        byte[,,] canvas = new byte[figureHeight, figureWidth, 3];
        MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(canvas), canvas.Length).Fill(255);
        var titleSpots = new List<(string Text, double X, double Y)>();
        for (int i = 0; i < n; i++)
        {
            int row = i / cols, col = i % cols;
            int cellLeft = GridGap + (int)(col * (columnWidth + GridGap));
            int cellTop = GridGap + (int)(row * (rowHeight + GridGap));
            int left = cellLeft + (int)((columnWidth - imageWidth) / 2);
            int top = cellTop + band;
            DrawImage(canvas, images[i], height, width, channels, cellPixels, maxValue, left, top);
            if (titles is not null && !string.IsNullOrEmpty(titles[i]))
                titleSpots.Add((titles[i], cellLeft + columnWidth / 2.0, cellTop + band / 2.0));
        }

        RenderCanvas(path, canvas, titleSpots.Select(t => new CanvasLabel(t.Text, t.X, t.Y, Alignment.MiddleCenter, ImageTitleFontSize)).ToList());
    }

    /// <summary>A text drawn over a canvas at (x, y) in canvas pixels (y down).</summary>
    private sealed record CanvasLabel(string Text, double X, double Y, Alignment Alignment, float Size, bool Bold = false, Color? Color = null, float Rotation = 0);

    /// <summary>Writes an RGB canvas <c>[y, x, c]</c> as a PNG of its size, with <paramref name="labels"/> drawn over it in the embedded font.</summary>
    private static void RenderCanvas(string path, byte[,,] canvas, IReadOnlyList<CanvasLabel> labels)
    {
        int figureHeight = canvas.GetLength(0), figureWidth = canvas.GetLength(1);
        lock (RenderLock)
        {
            using var plot = new Plot();
            plot.Layout.Frameless();
            plot.HideGrid();
            plot.FigureBackground.Color = Colors.White;
            plot.DataBackground.Color = Colors.White;

            using var bitmap = new ScottPlot.Image(canvas);
            // Data coordinates = pixels, y pointing up (row 0 of the canvas is at the top, y = figureHeight).
            var rect = plot.Add.ImageRect(bitmap, new CoordinateRect(0, figureWidth, 0, figureHeight));
            rect.AntiAlias = false;
            foreach (CanvasLabel l in labels)
            {
                var label = plot.Add.Text(l.Text, l.X, figureHeight - l.Y);
                label.Alignment = l.Alignment;
                label.LabelFontName = PlotFont.Family;
                label.LabelFontSize = l.Size;
                label.LabelBold = l.Bold;
                label.LabelFontColor = l.Color ?? Colors.Black;
                label.LabelRotation = l.Rotation;
            }
            plot.Axes.SetLimits(0, figureWidth, 0, figureHeight);
            SavePng(plot, path, figureWidth, figureHeight);
        }
    }

    /// <summary>Copies one image into <paramref name="canvas"/> at (<paramref name="left"/>, <paramref name="top"/>), each pixel as a square block.</summary>
    private static void DrawImage(byte[,,] canvas, float[] pixels, int height, int width, int channels, int cellPixels, float maxValue, int left, int top)
    {
        for (int r = 0; r < height; r++)
        {
            for (int c = 0; c < width; c++)
            {
                int index = (r * width + c) * channels;
                byte red = ToByte(pixels[index], maxValue);
                byte green = channels == 3 ? ToByte(pixels[index + 1], maxValue) : red;
                byte blue = channels == 3 ? ToByte(pixels[index + 2], maxValue) : red;
                for (int dy = 0; dy < cellPixels; dy++)
                {
                    int y = top + r * cellPixels + dy;
                    for (int dx = 0; dx < cellPixels; dx++)
                    {
                        int x = left + c * cellPixels + dx;
                        canvas[y, x, 0] = red;
                        canvas[y, x, 1] = green;
                        canvas[y, x, 2] = blue;
                    }
                }
            }
        }
    }

    /// <summary>Maps 0..<paramref name="maxValue"/> to 0..255, clamping outside values; NaN maps to 0.</summary>
    private static byte ToByte(float value, float maxValue)
    {
        if (float.IsNaN(value))
            return 0;
        double scaled = Math.Clamp(value / (double)maxValue, 0, 1) * 255;
        return (byte)Math.Round(scaled, MidpointRounding.AwayFromZero);
    }
}
