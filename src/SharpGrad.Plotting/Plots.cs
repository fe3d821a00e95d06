using SharpGrad.IO;
using ScottPlot;

namespace SharpGrad.Plotting;

/// <summary>
/// Plots in the style of fastbook / fastai (matplotlib look: white background, framed axes, no grid,
/// tab10 colours, DejaVu Sans text), each written as a PNG file.
/// </summary>
/// <remarks>
/// Every method validates its arguments before drawing (an <see cref="ArgumentException"/>, or one of its
/// subclasses <see cref="ArgumentNullException"/> and <see cref="ArgumentOutOfRangeException"/>, naming the
/// bad value), creates the folder of <c>path</c> when missing, and writes atomically: the PNG is written to
/// a temporary file beside <c>path</c> and then moved over it (<see cref="AtomicFile"/>), so a crash never leaves a half-written
/// file and an existing file is replaced whole. Text is drawn with an embedded copy of DejaVu Sans, so plots
/// look the same whether or not the machine has fonts installed. Safe to call from several threads
/// (rendering is serialised internally).
/// </remarks>
public static partial class Plots
{
    /// <summary>Largest width or height, in pixels, of any PNG this class writes.</summary>
    public const int MaxPixels = 16384;

    /// <summary>matplotlib's default colour cycle ("tab10").</summary>
    private static readonly Color[] Tab10 =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#d62728"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f"),
        Color.FromHex("#bcbd22"), Color.FromHex("#17becf"),
    ];

    /// <summary>Pure red, as matplotlib's <c>'r'</c> / <c>color='red'</c>.</summary>
    private static readonly Color Red = new(255, 0, 0);

    /// <summary>ScottPlot keeps global font state; rendering one plot at a time keeps it consistent.</summary>
    private static readonly Lock RenderLock = new();

    private static Color CycleColor(int index) => Tab10[index % Tab10.Length];

    // ---------------------------------------------------------------- validation helpers

    private static void ValidatePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException("The output path is empty.", nameof(path));
        if (path.EndsWith(Path.DirectorySeparatorChar) || path.EndsWith(Path.AltDirectorySeparatorChar))
            throw new ArgumentException($"The output path '{path}' names a folder, not a file.", nameof(path));
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is NotSupportedException or PathTooLongException)
        {
            throw new ArgumentException($"The output path '{path}' is not a valid file path: {e.Message}", nameof(path), e);
        }
        if (Directory.Exists(full))
            throw new ArgumentException($"The output path '{path}' is an existing folder, not a file.", nameof(path));
    }

    private static void ValidateSize(int width, int height, string widthName = "width", string heightName = "height")
    {
        if (width <= 0 || width > MaxPixels)
            throw new ArgumentOutOfRangeException(widthName, width, $"The image width must be in 1..{MaxPixels} pixels.");
        if (height <= 0 || height > MaxPixels)
            throw new ArgumentOutOfRangeException(heightName, height, $"The image height must be in 1..{MaxPixels} pixels.");
    }

    private static void RequireFinite(double value, string name)
    {
        if (!double.IsFinite(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number.");
    }

    private static void RequireRange(double min, double max, string minName, string maxName)
    {
        RequireFinite(min, minName);
        RequireFinite(max, maxName);
        if (min >= max)
            throw new ArgumentException($"{minName} ({min}) must be less than {maxName} ({max}).", minName);
    }

    // ---------------------------------------------------------------- output

    /// <summary>Renders <paramref name="plot"/> and writes it atomically as a PNG.</summary>
    private static void SavePng(Plot plot, string path, int width, int height)
    {
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        WriteAtomically(path, png);
    }

    /// <summary>Creates the folder when missing, then writes <paramref name="bytes"/> with <see cref="AtomicFile"/>.</summary>
    private static void WriteAtomically(string path, byte[] bytes)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
