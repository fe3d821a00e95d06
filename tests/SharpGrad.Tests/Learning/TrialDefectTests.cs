using SharpGrad.Data;
using SharpGrad.IO;
using SharpGrad.Learning;
using SharpGrad.NN;
using SharpGrad.Tests.Data;

namespace SharpGrad.Tests.Learning;

/// <summary>Defects found by the trial of issue 13 (small sets, silent non-learning, run-together columns, inconsistent model files), kept fixed.</summary>
public class TrialDefectTests
{
    private static DataLoaders Blobs(int n, int bs)
    {
        var g = new Generator(11);
        Tensor y = Tensor.Randint(0, 2, [n], g);
        Tensor x = Tensor.Randn([n, 2], g) * 0.3f + y.Float().Unsqueeze(1) * 2f - 1f;
        return new DataLoaders(new DataLoader(new TensorDataset(x, y), bs, shuffle: true, dropLast: true, generator: new Generator(1)),
                               new DataLoader(new TensorDataset(x, y), bs), ["neg", "pos"]);
    }

    private static Learner Make(DataLoaders dls, TextWriter? output = null) =>
        new(dls, Nn.Sequential(Nn.Linear(2, 8, generator: new Generator(5)), Nn.ReLU(), Nn.Linear(8, 2, generator: new Generator(6))),
            F.CrossEntropy, Optimizers.Sgd, [Metrics.Accuracy]) { Output = output, Progress = SharpGrad.Reporting.Reporters.Silent };

    [Fact]
    public void A_training_set_smaller_than_one_batch_still_trains_on_its_partial_batch()
    {
        DataLoaders dls = Blobs(40, 256);
        Assert.Equal(1, dls.Train.Count);
        Assert.Equal(40, dls.Train.First().Count);
        Learner learn = Make(dls);
        learn.Fit(3, lr: 0.5);
        Assert.All(learn.Recorder.Values, row => Assert.False(double.IsNaN(row[0])));
        Assert.Equal(3, learn.Recorder.Losses.Count);
        // A larger set still drops its last partial batch, as before.
        Assert.Equal(2, Blobs(40, 16).Train.Count);
    }

    [Fact]
    public void An_empty_training_set_is_refused_naming_the_batch_size()
    {
        var empty = new TensorDataset(Tensor.Zeros(0, 2), Tensor.Zeros([0], DType.Int64));
        var dls = new DataLoaders(new DataLoader(empty, 64, shuffle: true), new DataLoader(empty, 64), ["a", "b"]);
        var e = Assert.Throws<InvalidOperationException>(() => Make(dls).Fit(1));
        Assert.Contains("no items", e.Message);
        Assert.Contains("batch size 64", e.Message);
    }

    [Fact]
    public void Training_at_chance_with_a_loss_that_does_not_fall_is_warned_once()
    {
        // Chapter 4's sigmoid loss saturates instead of overflowing, so a huge rate runs on at chance without a NaN.
        var output = new StringWriter();
        static Tensor MnistLoss(Tensor p, Tensor t) => Tensor.Where(t.Reshape(-1, 1).Eq(1f), p.Sigmoid().RSub(1f), p.Sigmoid()).Mean();
        var learn = new Learner(Blobs(64, 16), Nn.Sequential(Nn.Linear(2, 8, generator: new Generator(5)), Nn.ReLU(), Nn.Linear(8, 1, generator: new Generator(6))),
                                MnistLoss, Optimizers.Sgd, [Metrics.BatchAccuracy]) { Output = output, Progress = SharpGrad.Reporting.Reporters.Silent };
        learn.Fit(5, lr: 1e9);
        string text = output.ToString();
        Assert.True(System.Text.RegularExpressions.Regex.Matches(text, "warning: after 3 epochs").Count == 1, text);
        Assert.Contains("learning rate (1E+09 now)", text);

        var good = new StringWriter();
        Make(Blobs(64, 16), good).Fit(5, lr: 0.5);
        Assert.DoesNotContain("warning", good.ToString());
    }

    [Fact]
    public void Table_columns_keep_a_space_between_them_whatever_the_width()
    {
        string row = ProgressPrinter.Row(["0", "217153651.008116", "521946482.483200", "0.724500", "00:01"],
                                         ["epoch", "train_loss", "valid_loss", "accuracy", "time"]);
        Assert.Equal(["0", "217153651.008116", "521946482.483200", "0.724500", "00:01"], row.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_model_file_whose_classes_or_input_contradict_its_weights_is_refused_naming_it()
    {
        using var dir = new TempDir();
        var model = Nn.Sequential(Nn.Flatten(), Nn.Linear(3 * 4 * 4, 1));
        string wrongVocab = Path.Combine(dir, "vocab.sgl"), wrongInput = Path.Combine(dir, "input.sgl");
        LearnerFiles.ExportModel(model, wrongVocab, ["a", "b", "c", "d", "e"], new ImageInput(3, 4, 4));
        var e1 = Assert.Throws<InvalidDataException>(() => LearnerFiles.LoadLearner(wrongVocab));
        Assert.Contains(wrongVocab, e1.Message);
        Assert.Contains("5 classes", e1.Message);
        Assert.Contains("1 output", e1.Message);

        LearnerFiles.ExportModel(model, wrongInput, ["a", "b"], new ImageInput(3, 5, 5));
        var e2 = Assert.Throws<InvalidDataException>(() => LearnerFiles.LoadLearner(wrongInput));
        Assert.Contains(wrongInput, e2.Message);
        Assert.Contains("3x5x5", e2.Message);

        // Two classes with one output (chapter 4's binary models) is consistent.
        string ok = Path.Combine(dir, "ok.sgl");
        LearnerFiles.ExportModel(model, ok, ["a", "b"], new ImageInput(3, 4, 4));
        Assert.Equal(["a", "b"], LearnerFiles.LoadLearner(ok).Vocab);
    }
}
