using System.Globalization;
using System.Runtime.InteropServices;
using ScottPlot;
using SkiaSharp;

namespace SharpGrad.Plotting;

public static partial class Plots
{
    private const int MatrixCell = 44, MatrixFontSize = 12;

    /// <summary>
    /// fastai's <c>plot_confusion_matrix</c>: a grid of cells shaded from white to blue by value, the value written in
    /// each, actual classes down the left and predicted classes along the bottom.
    /// </summary>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="values">Rows are actual classes, columns predicted ones.</param>
    /// <param name="classes">One name per row and column.</param>
    /// <param name="normalized">Whether the values are fractions (written with two decimals) rather than counts.</param>
    /// <exception cref="ArgumentException">A matrix that is not square or does not match the class names.</exception>
    public static void ConfusionMatrix(string path, double[,] values, IReadOnlyList<string> classes, bool normalized = false)
    {
        ValidatePath(path);
        int n = values.GetLength(0);
        if (n == 0 || values.GetLength(1) != n || classes.Count != n)
            throw new ArgumentException($"ConfusionMatrix: need a square matrix with one class name per row, got {values.GetLength(0)}x{values.GetLength(1)} and {classes.Count} names.", nameof(values));
        PlotFont.EnsureRegistered();
        float widest;
        using (SKTypeface typeface = PlotFont.CreateTypeface(bold: false))
        using (var font = new SKFont(typeface, MatrixFontSize))
            widest = classes.Max(c => font.MeasureText(c));
        int labelWidth = (int)Math.Ceiling(widest) + 16, labelHeight = (int)Math.Ceiling(widest) + 16;
        int left = labelWidth + 24, top = 36, gridSize = n * MatrixCell;
        int figureWidth = left + gridSize + 16, figureHeight = top + gridSize + labelHeight + 24;
        if (figureWidth > MaxPixels || figureHeight > MaxPixels) throw new ArgumentException($"ConfusionMatrix: {n} classes make a plot over {MaxPixels} pixels.");
        double max = 0;
        foreach (double v in values) if (double.IsFinite(v)) max = Math.Max(max, v);
        byte[,,] canvas = new byte[figureHeight, figureWidth, 3];
        MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(canvas), canvas.Length).Fill(255);
        var texts = new List<(string Text, double X, double Y, bool Light, bool Rotated)>();
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                double t = max > 0 ? Math.Clamp(values[r, c] / max, 0, 1) : 0;
                // matplotlib's "Blues": from (247, 251, 255) to (8, 48, 107).
                byte red = (byte)(247 + (8 - 247) * t), green = (byte)(251 + (48 - 251) * t), blue = (byte)(255 + (107 - 255) * t);
                for (int y = 0; y < MatrixCell; y++)
                    for (int x = 0; x < MatrixCell; x++)
                    {
                        canvas[top + r * MatrixCell + y, left + c * MatrixCell + x, 0] = red;
                        canvas[top + r * MatrixCell + y, left + c * MatrixCell + x, 1] = green;
                        canvas[top + r * MatrixCell + y, left + c * MatrixCell + x, 2] = blue;
                    }
                string text = normalized ? values[r, c].ToString("F2", CultureInfo.InvariantCulture) : values[r, c].ToString("0", CultureInfo.InvariantCulture);
                texts.Add((text, left + (c + 0.5) * MatrixCell, top + (r + 0.5) * MatrixCell, t > 0.5, false));
            }
        for (int i = 0; i < n; i++)
        {
            texts.Add((classes[i], left - 6, top + (i + 0.5) * MatrixCell, false, false));
            texts.Add((classes[i], left + (i + 0.5) * MatrixCell, top + gridSize + 6, false, true));
        }
        var labels = new List<CanvasLabel>
        {
            new("Confusion matrix", left + gridSize / 2.0, 16, Alignment.MiddleCenter, MatrixFontSize, Bold: true),
            new("Actual", 12, top + gridSize / 2.0, Alignment.MiddleCenter, MatrixFontSize, Rotation: -90),
            new("Predicted", left + gridSize / 2.0, figureHeight - 10, Alignment.MiddleCenter, MatrixFontSize),
        };
        foreach (var (text, x, y, light, rotated) in texts)
        {
            bool cell = x > left && y > top && y < top + gridSize;
            labels.Add(cell ? new CanvasLabel(text, x, y, Alignment.MiddleCenter, MatrixFontSize, Color: light ? Colors.White : Colors.Black)
                : new CanvasLabel(text, x, y, Alignment.MiddleRight, MatrixFontSize, Rotation: rotated ? -90 : 0));
        }
        RenderCanvas(path, canvas, labels);
    }
}
