using SharpGrad.Learning;

namespace SharpGrad.Plotting;

/// <summary>The plots in terms of SharpGrad objects: image tensors (fastai's <c>show_image</c>/<c>show_images</c>), a learner's recorder and LR-finder result.</summary>
public static class TensorPlots
{
    /// <summary>Draws image tensors in a grid: each <c>[H, W]</c> (grayscale), <c>[1, H, W]</c>/<c>[3, H, W]</c> (CHW, as batches hold them) or <c>[H, W, 3]</c>; uint8 in 0..255 or float in 0..1.</summary>
    /// <exception cref="ArgumentException">Images of different shapes, or a shape that is not an image; the message names it.</exception>
    public static void ShowImages(string path, IReadOnlyList<Tensor> images, IReadOnlyList<string>? titles = null, int columns = 0, int cellPixels = 2)
    {
        if (images.Count == 0) throw new ArgumentException("ShowImages: no images.", nameof(images));
        var pixels = new List<float[]>();
        (int h, int w, int c) = (0, 0, 0);
        float maxValue = 1f;
        for (int i = 0; i < images.Count; i++)
        {
            (Tensor hwc, int ih, int iw, int ic) = AsHwc(images[i], i);
            if (i == 0) (h, w, c, maxValue) = (ih, iw, ic, images[i].DType == DType.UInt8 ? 255f : 1f);
            else if ((ih, iw, ic) != (h, w, c))
                throw new ArgumentException($"ShowImages: image {i} is {ih}x{iw}x{ic} but image 0 is {h}x{w}x{c}.", nameof(images));
            pixels.Add(hwc.Float().ToArray<float>());
        }
        Plots.Images(path, pixels, h, w, c, titles, columns, cellPixels, maxValue);
    }

    /// <summary>Draws one image tensor (fastai's <c>show_image</c>).</summary>
    public static void ShowImage(string path, Tensor image, string? title = null, int cellPixels = 4) =>
        ShowImages(path, [image], title is null ? null : [title], 1, cellPixels);

    private static (Tensor Hwc, int H, int W, int C) AsHwc(Tensor t, int index)
    {
        Tensor d = t.Detach();
        return d.NDim switch
        {
            2 => (d.Contiguous(), d.Size(0), d.Size(1), 1),
            3 when d.Size(0) is 1 or 3 => (d.Permute(1, 2, 0).Contiguous(), d.Size(1), d.Size(2), d.Size(0)),
            3 when d.Size(2) is 1 or 3 => (d.Contiguous(), d.Size(0), d.Size(1), d.Size(2)),
            _ => throw new ArgumentException($"ShowImages: image {index} has shape {t.Shape}; expected [H, W], [C, H, W] or [H, W, C] with 1 or 3 channels."),
        };
    }

    /// <summary>
    /// fastai's <c>dls.show_batch()</c>: the first <paramref name="rows"/>² items of a training batch, as the model sees them
    /// (item transforms and augmentation applied), each titled with its class, written as a PNG grid.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is not positive.</exception>
    public static void ShowBatch(this SharpGrad.Data.DataLoaders dls, string path, int rows = 3, int cellPixels = 0)
    {
        if (rows < 1) throw new ArgumentOutOfRangeException(nameof(rows), rows, "ShowBatch: rows must be at least 1.");
        SharpGrad.Data.Batch b = dls.Train.First();
        int n = Math.Min(rows * rows, b.Count);
        long[] labels = b.Y is null ? [] : b.Y.Long().ToArray<long>();
        var images = Enumerable.Range(0, n).Select(i => b.X[i].Clamp(0f, 1f)).ToList();
        var titles = Enumerable.Range(0, n).Select(i => i < labels.Length && labels[i] >= 0 && labels[i] < dls.Vocab.Count ? dls.Vocab[(int)labels[i]] : "").ToList();
        int side = b.X.Size(-1);
        ShowImages(path, images, titles, Math.Min(rows, n), cellPixels > 0 ? cellPixels : Math.Max(1, 160 / Math.Max(side, 1)));
    }

    /// <summary>fastai's <c>recorder.plot_loss()</c>: the smoothed training loss per batch and the validation loss at each epoch's end.</summary>
    public static void PlotLoss(this Recorder recorder, string path, int skipStart = 5)
    {
        var valid = recorder.Values.Select((v, i) => (recorder.EpochIters[i], v[1])).Where(p => !double.IsNaN(p.Item2)).ToList();
        Plots.Loss(path, recorder.Losses, valid, Math.Min(skipStart, Math.Max(0, recorder.Losses.Count - 2)));
    }

    /// <summary>A metric column of the recorder per epoch (the book's <c>plt.plot(L(learn.recorder.values).itemgot(2))</c>).</summary>
    public static void PlotMetric(this Recorder recorder, string path, int column = 2)
    {
        if (recorder.Values.Count == 0) throw new InvalidOperationException("PlotMetric: the recorder holds no epochs yet; call Fit first.");
        string name = recorder.MetricNames[column];
        double[] x = Enumerable.Range(0, recorder.Values.Count).Select(i => (double)i).ToArray();
        Plots.Lines(path, [new Series(name, x, recorder.Values.Select(v => v[column]).ToArray())], title: name, xLabel: "epoch", yLabel: name);
    }

    /// <summary>fastai's lr_find plot: loss against a log learning-rate axis with the valley marked.</summary>
    public static void Plot(this LrFindResult result, string path) => Plots.LrFind(path, result.Lrs, result.Losses, result.Valley, skipEnd: 0);
}
