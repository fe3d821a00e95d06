using SharpGrad.Data;
using SharpGrad.Data.Images;
using SharpGrad.Plotting;
using SharpGrad.Tests.Cli;
using SharpGrad.Tests.Data;
using SharpGrad.Vision;

namespace SharpGrad.Tests.Vision;

/// <summary>fastai's ClassificationInterpretation on known outputs, its plots, and `sharpgrad interpret`.</summary>
public class InterpretationTests
{
    // Six items, three classes. Logits chosen so the predictions are: 0,0,1 | 1,2 | 2 against targets 0,0,0 | 1,1 | 2.
    private static ClassificationInterpretation Known()
    {
        Tensor outputs = Tensor.From(new float[]
        {
            5, 0, 0,   3, 1, 0,   0, 4, 0,
            0, 2, 0,   0, 1, 6,
            0, 0, 9,
        }, [6, 3]);
        Tensor targets = Tensor.From(new long[] { 0, 0, 0, 1, 1, 2 });
        Tensor images = Tensor.Rand([6, 3, 8, 8], new Generator(1));
        var data = new DataLoader(new TensorDataset(images, targets), 6);
        return ClassificationInterpretation.FromOutputs(outputs, targets, ["cat", "dog", "fox"], null, data);
    }

    [Fact]
    public void Confusion_matrix_most_confused_top_losses_and_scores_are_those_of_the_outputs()
    {
        ClassificationInterpretation interp = Known();
        Assert.Equal(new long[,] { { 2, 1, 0 }, { 0, 1, 1 }, { 0, 0, 1 } }, interp.ConfusionMatrix());
        Assert.Equal([("cat", "dog", 1L), ("dog", "fox", 1L)], interp.MostConfused());
        Assert.Empty(interp.MostConfused(minVal: 2));
        (float[] losses, int[] indices) = interp.TopLosses(2);
        Assert.Equal([4, 2], indices); // dog predicted fox with 6 vs 1, then cat predicted dog with 4 vs 0
        float expected = -(float)Math.Log(Math.Exp(1) / (1 + Math.Exp(1) + Math.Exp(6)));
        Assert.Equal(expected, losses[0], 4);
        IReadOnlyList<ClassScore> s = interp.Scores();
        Assert.Equal(1.0, s[0].Precision, 9);       // cat: 2 of 2 predicted cats are cats
        Assert.Equal(2.0 / 3, s[0].Recall, 9);      // 2 of 3 cats found
        Assert.Equal(0.5, s[1].Precision, 9);       // dog: 1 of 2
        Assert.Equal(0.5, s[2].Precision, 9);       // fox: 1 of 2
        Assert.Equal(1.0, s[2].Recall, 9);
        Assert.Equal(3, s[0].Support);
        string report = interp.Report();
        Assert.Contains("precision    recall  f1-score   support", report);
        Assert.Contains("accuracy", report);
        Assert.Contains("0.67", report); // 4 of 6 right
    }

    [Fact]
    public void The_plots_are_written_and_bad_arguments_refused()
    {
        using var dir = new TempDir();
        ClassificationInterpretation interp = Known();
        string matrix = Path.Combine(dir, "cm.png"), top = Path.Combine(dir, "top.png");
        interp.PlotConfusionMatrix(matrix, normalize: true);
        interp.PlotTopLosses(4, top);
        Image m = ImageDecoder.Decode(File.ReadAllBytes(matrix)), t = ImageDecoder.Decode(File.ReadAllBytes(top));
        Assert.True(m.Width > 3 * 40 && m.Height > 3 * 40, $"{m.Width}x{m.Height}");
        Assert.True(t.Width >= 2 * 8 && t.Pixels.Distinct().Count() > 20);
        Assert.Throws<ArgumentOutOfRangeException>(() => interp.PlotTopLosses(0, top));
        Assert.Throws<ArgumentException>(() => ClassificationInterpretation.FromOutputs(Tensor.Zeros(6, 2), Tensor.Zeros([6], DType.Int64), ["a", "b", "c"], null, interp.Data));
    }

    [Fact]
    [Trait("Category", "Cli")]
    public void Interpret_prints_the_most_confused_and_writes_the_plots()
    {
        using var dir = new TempDir();
        string folder = CliTrialTests.TinyFolder(dir, 30), model = Path.Combine(dir, "m.sgl"), outDir = Path.Combine(dir, "interp");
        Assert.Equal(0, CliProcess.Run("train", folder, "--epochs", "2", "--bs", "8", "--out", model).Code);
        var (code, output, err) = CliProcess.Run("interpret", model, folder, "--out", outDir, "--top-losses", "4");
        Assert.True(code == 0, err);
        Assert.Contains("precision", output);
        Assert.True(File.Exists(Path.Combine(outDir, "confusion_matrix.png")));
        Assert.True(File.Exists(Path.Combine(outDir, "top_losses.png")));
    }
}
