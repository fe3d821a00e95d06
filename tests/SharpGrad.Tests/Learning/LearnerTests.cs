using SharpGrad.Data;
using SharpGrad.Learning;
using SharpGrad.NN;

namespace SharpGrad.Tests.Learning;

/// <summary>The Learner's loop, events, cancellation, divergence guard, output and inference, on small synthetic data.</summary>
public class LearnerTests
{
    /// <summary>Two well-separated Gaussian blobs in 2-D, labels 0 and 1.</summary>
    private static DataLoaders Blobs(int n = 64, int bs = 16)
    {
        var g = new Generator(11);
        Tensor y = Tensor.Randint(0, 2, [n], g);
        Tensor x = Tensor.Randn([n, 2], g) * 0.3f + y.Float().Unsqueeze(1) * 2f - 1f;
        return new DataLoaders(new DataLoader(new TensorDataset(x, y), bs, shuffle: true, generator: new Generator(1)),
                               new DataLoader(new TensorDataset(x[..16], y[..16]), 8), ["neg", "pos"]);
    }

    private static Learner Make(DataLoaders dls, IEnumerable<Callback>? cbs = null, TextWriter? output = null) =>
        new(dls, Nn.Sequential(Nn.Linear(2, 8, generator: new Generator(5)), Nn.ReLU(), Nn.Linear(8, 2, generator: new Generator(6))),
            F.CrossEntropy, Optimizers.Sgd, [Metrics.Accuracy], cbs) { Output = output, Progress = SharpGrad.Reporting.Reporters.Silent };

    private sealed class EventLog : Callback
    {
        public List<string> Events { get; } = [];
        public override void BeforeFit() => Events.Add("before_fit");
        public override void BeforeEpoch() => Events.Add("before_epoch");
        public override void BeforeTrain() => Events.Add("before_train");
        public override void BeforeBatch() => Events.Add(Learn.Training ? "before_batch" : "before_batch(valid)");
        public override void AfterLoss() => Events.Add("after_loss");
        public override void BeforeStep() => Events.Add("before_step");
        public override void AfterBatch() => Events.Add("after_batch");
        public override void AfterTrain() => Events.Add("after_train");
        public override void BeforeValidate() => Events.Add("before_validate");
        public override void AfterValidate() => Events.Add("after_validate");
        public override void AfterEpoch() => Events.Add("after_epoch");
        public override void AfterCancelFit() => Events.Add("after_cancel_fit");
        public override void AfterFit() => Events.Add("after_fit");
    }

    [Fact]
    public void Fit_learns_and_the_recorder_has_one_row_per_epoch()
    {
        Learner learn = Make(Blobs());
        learn.Fit(5, lr: 0.5);
        Assert.Equal(5, learn.Recorder.Values.Count);
        Assert.Equal(["train_loss", "valid_loss", "accuracy"], learn.Recorder.MetricNames);
        Assert.Equal(5 * 4, learn.Recorder.Losses.Count);
        Assert.All(learn.Recorder.Lrs, lr => Assert.Equal(0.5, lr));
        Assert.True(learn.Recorder.Values[^1][2] >= 0.99, $"accuracy {learn.Recorder.Values[^1][2]}");
        Assert.True(learn.Recorder.Values[^1][1] < learn.Recorder.Values[0][1]);
        double[] v = learn.Validate();
        Assert.Equal(learn.Recorder.Values[^1][1], v[0], 6);
    }

    private sealed class KeepPreds : Callback
    {
        public List<Tensor> Preds { get; } = [];
        public override void AfterPred() { if (!Learn.Training) Preds.Add(Learn.Pred.Keep()); }
    }

    [Fact]
    public void Each_batch_releases_its_tensors_unless_a_callback_keeps_them()
    {
        var keep = new KeepPreds();
        Learner learn = Make(Blobs(), [keep]);
        learn.Fit(2, lr: 0.5);
        // The last batch's loss was released with the batch (its memory goes to the next one)...
        var e = Assert.Throws<ObjectDisposedException>(() => learn.Loss.Item());
        Assert.Contains("Keep()", e.Message);
        // ...while the validation predictions the callback kept are intact: the same as a fresh pass gives.
        Assert.Equal(4, keep.Preds.Count);
        Tensor again = learn.GetPreds().Preds;
        Assert.Equal(again.ToArray<float>(), Tensor.Cat(keep.Preds[2..]).ToArray<float>());
        Assert.NotNull(learn.Model.Parameters().First().Grad); // gradients are zeroed in place (fastai), never released
        Assert.All(learn.Model.Parameters(), p => Assert.All(p.Grad!.ToArray<float>(), v => Assert.Equal(0f, v)));
    }

    [Fact]
    public void Events_run_in_fastais_order()
    {
        var log = new EventLog();
        Learner learn = Make(Blobs(n: 32, bs: 16), [log]);
        learn.Fit(1, 0.1);
        Assert.Equal([
            "before_fit", "before_epoch", "before_train",
            "before_batch", "after_loss", "before_step", "after_batch",
            "before_batch", "after_loss", "before_step", "after_batch",
            "after_train", "before_validate",
            "before_batch(valid)", "after_loss", "after_batch",
            "before_batch(valid)", "after_loss", "after_batch",
            "after_validate", "after_epoch", "after_fit"], log.Events);
    }

    private sealed class StopAfter(int batches) : Callback
    {
        public override int Order => 70; // after the recorder, so the last batch is recorded

        public override void AfterBatch()
        {
            if (Learn.Training && Learn.TrainIter + 1 >= batches) throw new CancelFitException();
        }
    }

    [Fact]
    public void A_cancel_exception_stops_the_fit_cleanly()
    {
        var log = new EventLog();
        Learner learn = Make(Blobs(), [log, new StopAfter(2)]);
        learn.Fit(3, 0.1);
        Assert.Equal(2, learn.Recorder.Losses.Count);
        Assert.Equal(["after_cancel_fit", "after_fit"], log.Events[^2..]);
    }

    [Fact]
    public void A_diverging_loss_stops_with_the_epoch_and_batch()
    {
        var g = new Generator(1);
        Tensor x = Tensor.Randn([32, 2], g);
        x[5, 0] = float.NaN;
        var dls = new DataLoaders(new DataLoader(new TensorDataset(x, Tensor.Zeros(32).Long()), 8), new DataLoader(new TensorDataset(x, Tensor.Zeros(32).Long()), 8));
        var e = Assert.Throws<TrainingDivergedException>(() => Make(dls).Fit(2, 0.1));
        Assert.Equal(0, e.Epoch);
        Assert.Equal(0, e.Batch);
        Assert.Contains("epoch 0, batch 0", e.Message);
        Assert.Contains("NaN", e.Message);
    }

    [Fact]
    public void It_prints_fastais_table()
    {
        var output = new StringWriter();
        Make(Blobs(), output: output).Fit(2, 0.5);
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^epoch\s+train_loss\s+valid_loss\s+accuracy\s+time$", lines[0]);
        Assert.Matches(@"^0\s+\d\.\d{6}\s+\d\.\d{6}\s+\d\.\d{6}\s+\d\d:\d\d$", lines[1]);
        Assert.StartsWith("1 ", lines[2]);
    }

    [Fact]
    public void GetPreds_and_Predict_give_outputs_classes_and_probabilities()
    {
        Learner learn = Make(Blobs());
        learn.Fit(5, 0.5);
        (Tensor preds, Tensor? targets) = learn.GetPreds();
        Assert.Equal([16, 2], preds.Shape.ToArray());
        Assert.Equal([16], targets!.Shape.ToArray());
        Prediction p = learn.Predict(Tensor.From(1.2f, 0.9f));
        Assert.Equal("pos", p.Label);
        Assert.Equal(1, p.Index);
        Assert.Equal(1f, p.Probabilities.Sum().Item(), 5);
        Assert.True(p.Probabilities[1].Item() > 0.9f);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Learner learn = Make(Blobs());
        Assert.Contains("positive", Assert.Throws<ArgumentOutOfRangeException>(() => learn.Fit(1, lr: -0.1)).Message);
        Assert.Contains("non-negative", Assert.Throws<ArgumentOutOfRangeException>(() => learn.Fit(-1)).Message);
    }
}
