using System.Globalization;
using SharpGrad.Vision;

namespace SharpGrad.Plotting;

/// <summary>fastai's interpretation plots for a <see cref="ClassificationInterpretation"/>.</summary>
public static class InterpretationPlots
{
    /// <summary>fastai's <c>plot_confusion_matrix(normalize)</c>: counts, or each row divided by its total with <paramref name="normalize"/>.</summary>
    public static void PlotConfusionMatrix(this ClassificationInterpretation interp, string path, bool normalize = false)
    {
        long[,] counts = interp.ConfusionMatrix();
        int n = counts.GetLength(0);
        var values = new double[n, n];
        for (int r = 0; r < n; r++)
        {
            long total = 0;
            for (int c = 0; c < n; c++) total += counts[r, c];
            for (int c = 0; c < n; c++) values[r, c] = normalize ? (total == 0 ? 0 : (double)counts[r, c] / total) : counts[r, c];
        }
        Plots.ConfusionMatrix(path, values, interp.Vocab, normalize);
    }

    /// <summary>
    /// fastai's <c>plot_top_losses(k)</c>: the <paramref name="k"/> items with the highest loss, as the model saw them,
    /// each titled "predicted/actual / loss / probability" (the probability of the predicted class).
    /// </summary>
    public static void PlotTopLosses(this ClassificationInterpretation interp, int k, string path, int cellPixels = 0)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "PlotTopLosses: k must be at least 1.");
        (float[] losses, int[] indices) = interp.TopLosses(k);
        long[] predicted = interp.Predictions.ToArray<long>(), actual = interp.Targets.ToArray<long>();
        var images = new List<Tensor>();
        var titles = new List<string>();
        for (int j = 0; j < indices.Length; j++)
        {
            int i = indices[j];
            images.Add(interp.Data.Dataset[i].X.Clamp(0f, 1f));
            float p = interp.Probabilities[i, (int)predicted[i]].Item();
            titles.Add(string.Create(CultureInfo.InvariantCulture, $"{interp.Vocab[(int)predicted[i]]}/{interp.Vocab[(int)actual[i]]} / {losses[j]:F2} / {p:F2}"));
        }
        int side = images[0].Size(-1);
        TensorPlots.ShowImages(path, images, titles, 0, cellPixels > 0 ? cellPixels : Math.Max(1, 112 / Math.Max(side, 1)));
    }
}
