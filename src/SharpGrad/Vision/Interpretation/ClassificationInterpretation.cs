using System.Globalization;
using System.Text;
using SharpGrad.Data;
using SharpGrad.Learning;
using SharpGrad.NN;

namespace SharpGrad.Vision;

/// <summary>
/// fastai's <c>ClassificationInterpretation</c>: what a classifier gets wrong on a data set (the validation set by
/// default) — the confusion matrix, the most confused pairs of classes, the items with the highest loss, and per-class
/// precision, recall and F1. Plots (<c>PlotConfusionMatrix</c>, <c>PlotTopLosses</c>) are in SharpGrad.Plotting.
/// </summary>
public sealed class ClassificationInterpretation
{
    private ClassificationInterpretation(DataLoader data, IReadOnlyList<string> vocab, Tensor probabilities, Tensor targets, Tensor losses)
    {
        Data = data;
        Vocab = vocab;
        Probabilities = probabilities;
        Targets = targets;
        Losses = losses;
        Predictions = probabilities.Argmax(1);
    }

    /// <summary>The items interpreted (in order: item i of the dataset is row i everywhere).</summary>
    public DataLoader Data { get; }

    /// <summary>Class names.</summary>
    public IReadOnlyList<string> Vocab { get; }

    /// <summary>Class probabilities per item, <c>[N, classes]</c> (softmax; for a one-output binary model, [1 - p, p] with p = sigmoid).</summary>
    public Tensor Probabilities { get; }

    /// <summary>The true class of each item, <c>[N]</c>.</summary>
    public Tensor Targets { get; }

    /// <summary>The predicted class of each item, <c>[N]</c>.</summary>
    public Tensor Predictions { get; }

    /// <summary>Each item's loss, <c>[N]</c>.</summary>
    public Tensor Losses { get; }

    /// <summary>Interprets <paramref name="learn"/>'s model on <paramref name="dl"/> (default: the validation set) with the learner's loss.</summary>
    public static ClassificationInterpretation FromLearner(Learner learn, DataLoader? dl = null, CancellationToken cancellation = default)
    {
        DataLoader data = dl ?? learn.Dls.Valid;
        (Tensor outputs, Tensor? targets) = learn.GetPreds(data, cancellation);
        if (targets is null) throw new InvalidOperationException("ClassificationInterpretation: the data has no targets.");
        return FromOutputs(outputs, targets, learn.Dls.Vocab, learn.LossFunc, data);
    }

    /// <summary>
    /// Interprets a model's raw <paramref name="outputs"/> (<c>[N, classes]</c>, or <c>[N, 1]</c> for a binary model) against
    /// <paramref name="targets"/>, each item's loss computed with <paramref name="lossFunc"/> (default cross-entropy, or
    /// binary cross-entropy on the logit for one output).
    /// </summary>
    /// <exception cref="ArgumentException">Outputs and targets disagree in count, or the outputs do not match the vocab.</exception>
    public static ClassificationInterpretation FromOutputs(Tensor outputs, Tensor targets, IReadOnlyList<string> vocab,
                                                           Func<Tensor, Tensor, Tensor>? lossFunc, DataLoader data)
    {
        using var _ = Tensor.NoGrad();
        int n = outputs.Size(0);
        if (targets.Numel != n) throw new ArgumentException($"ClassificationInterpretation: {n} outputs but {targets.Numel} targets.");
        Tensor flat = outputs.Reshape(n, -1);
        int classes = flat.Size(1);
        bool binary = classes == 1;
        if (binary ? vocab.Count != 2 : vocab.Count != classes)
            throw new ArgumentException($"ClassificationInterpretation: the model has {classes} output(s) for {vocab.Count} classes [{string.Join(", ", vocab)}].");
        Tensor probabilities = binary ? Tensor.Cat([flat.Sigmoid().RSub(1f), flat.Sigmoid()], 1) : flat.Softmax(1);
        Tensor y = targets.Reshape(n).Long();
        Func<Tensor, Tensor, Tensor> loss = lossFunc ?? (binary ? (o, t) => F.BinaryCrossEntropyWithLogits(o.Reshape(-1), t.Float()) : F.CrossEntropy);
        var losses = new float[n];
        for (int i = 0; i < n; i++) losses[i] = loss(outputs[i..(i + 1)], targets[i..(i + 1)]).Item();
        return new ClassificationInterpretation(data, vocab, probabilities.Keep(), y.Keep(), Tensor.From(losses));
    }

    /// <summary>Counts per (actual, predicted) class: rows are the true classes, columns the predictions (fastai's layout).</summary>
    public long[,] ConfusionMatrix()
    {
        int c = Vocab.Count;
        var m = new long[c, c];
        long[] y = Targets.ToArray<long>(), p = Predictions.ToArray<long>();
        for (int i = 0; i < y.Length; i++) m[y[i], p[i]]++;
        return m;
    }

    /// <summary>The off-diagonal cells of the confusion matrix with at least <paramref name="minVal"/> items, most frequent first (fastai's <c>most_confused</c>).</summary>
    public IReadOnlyList<(string Actual, string Predicted, long Count)> MostConfused(int minVal = 1)
    {
        long[,] m = ConfusionMatrix();
        var cells = new List<(string, string, long)>();
        for (int a = 0; a < Vocab.Count; a++)
            for (int p = 0; p < Vocab.Count; p++)
                if (a != p && m[a, p] >= minVal) cells.Add((Vocab[a], Vocab[p], m[a, p]));
        return cells.OrderByDescending(t => t.Item3).ThenBy(t => t.Item1, StringComparer.Ordinal).ThenBy(t => t.Item2, StringComparer.Ordinal).ToList();
    }

    /// <summary>The <paramref name="k"/> highest losses (or lowest with <paramref name="largest"/> false) and the items' indices (fastai's <c>top_losses</c>).</summary>
    public (float[] Losses, int[] Indices) TopLosses(int k = 9, bool largest = true)
    {
        float[] all = Losses.ToArray<float>();
        int[] order = Enumerable.Range(0, all.Length).OrderBy(i => largest ? -all[i] : all[i]).ThenBy(i => i).Take(Math.Max(0, k)).ToArray();
        return (order.Select(i => all[i]).ToArray(), order);
    }

    /// <summary>Per-class precision, recall, F1 and support (scikit-learn's <c>classification_report</c>).</summary>
    public IReadOnlyList<ClassScore> Scores()
    {
        long[,] m = ConfusionMatrix();
        var scores = new List<ClassScore>();
        for (int c = 0; c < Vocab.Count; c++)
        {
            long tp = m[c, c], predicted = 0, actual = 0;
            for (int k = 0; k < Vocab.Count; k++) { predicted += m[k, c]; actual += m[c, k]; }
            double precision = predicted == 0 ? 0 : (double)tp / predicted, recall = actual == 0 ? 0 : (double)tp / actual;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            scores.Add(new ClassScore(Vocab[c], precision, recall, f1, actual));
        }
        return scores;
    }

    /// <summary>The scores as scikit-learn prints them: a row per class, then accuracy and the macro and support-weighted averages.</summary>
    public string Report()
    {
        IReadOnlyList<ClassScore> scores = Scores();
        int width = Math.Max(12, Vocab.Max(v => v.Length) + 2);
        long total = scores.Sum(s => s.Support);
        double accuracy = total == 0 ? 0 : (double)Enumerable.Range(0, Vocab.Count).Sum(c => ConfusionMatrix()[c, c]) / total;
        var sb = new StringBuilder();
        sb.Append(string.Empty.PadLeft(width)).AppendLine("  precision    recall  f1-score   support");
        sb.AppendLine();
        string Row(string name, double p, double r, double f, long s) =>
            string.Create(CultureInfo.InvariantCulture, $"{name.PadLeft(width)}  {p,9:F2} {r,9:F2} {f,9:F2} {s,9}");
        foreach (ClassScore s in scores) sb.AppendLine(Row(s.Class, s.Precision, s.Recall, s.F1, s.Support));
        sb.AppendLine();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{"accuracy".PadLeft(width)}  {"",9} {"",9} {accuracy,9:F2} {total,9}"));
        sb.AppendLine(Row("macro avg", scores.Average(s => s.Precision), scores.Average(s => s.Recall), scores.Average(s => s.F1), total));
        double W(Func<ClassScore, double> f) => total == 0 ? 0 : scores.Sum(s => f(s) * s.Support) / total;
        sb.AppendLine(Row("weighted avg", W(s => s.Precision), W(s => s.Recall), W(s => s.F1), total));
        return sb.ToString();
    }
}

/// <summary>One class's scores in <see cref="ClassificationInterpretation.Report"/>.</summary>
/// <param name="Class">The class name.</param>
/// <param name="Precision">Correct predictions of this class over all predictions of it.</param>
/// <param name="Recall">Correct predictions of this class over all items of it.</param>
/// <param name="F1">The harmonic mean of precision and recall.</param>
/// <param name="Support">Items of this class.</param>
public sealed record ClassScore(string Class, double Precision, double Recall, double F1, long Support);
