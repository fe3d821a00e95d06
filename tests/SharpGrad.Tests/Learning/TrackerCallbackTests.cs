using SharpGrad.Data;
using SharpGrad.Learning;
using SharpGrad.NN;
using SharpGrad.Tests.Data;

namespace SharpGrad.Tests.Learning;

/// <summary>fastai's tracker callbacks: save the best model, stop early, reduce the rate on a plateau, log to CSV.</summary>
public class TrackerCallbackTests
{
    private static Learner Make(TextWriter? output = null)
    {
        var g = new Generator(11);
        Tensor y = Tensor.Randint(0, 2, [64], g);
        Tensor x = Tensor.Randn([64, 2], g) * 0.3f + y.Float().Unsqueeze(1) * 2f - 1f;
        var dls = new DataLoaders(new DataLoader(new TensorDataset(x, y), 16, shuffle: true, generator: new Generator(1)),
                                  new DataLoader(new TensorDataset(x[..16], y[..16]), 8), ["neg", "pos"]);
        return new Learner(dls, Nn.Sequential(Nn.Linear(2, 8, generator: new Generator(5)), Nn.ReLU(), Nn.Linear(8, 2, generator: new Generator(6))),
                           F.CrossEntropy, Optimizers.Sgd, [Metrics.Accuracy]) { Output = output, Progress = SharpGrad.Reporting.Reporters.Silent };
    }

    [Fact]
    public void SaveModel_keeps_the_best_epoch_and_loads_it_back_at_the_end()
    {
        using var dir = new TempDir();
        Learner learn = Make();
        var save = new SaveModelCallback(folder: dir, fname: "best");
        // A good rate, then one so large that the later epochs get worse: the best model is an early one.
        learn.Fit(3, 0.5, cbs: [save]);
        double best = save.Best;
        learn.Fit(3, 50, cbs: [save]);
        Assert.True(File.Exists(save.BestPath));
        Assert.True(save.Best <= learn.Recorder.Values.Min(v => v[1]) + 1e-12);
        Assert.Equal(save.Best, learn.Validate()[0], 5); // the weights now are the saved best ones
        Assert.True(best > 0);
    }

    [Fact]
    public void EarlyStopping_stops_after_patience_epochs_without_improvement()
    {
        var output = new StringWriter();
        Learner learn = Make(output);
        learn.Fit(20, 1e-9, cbs: [new EarlyStoppingCallback(monitor: "accuracy", minDelta: 0.01, patience: 2)]);
        Assert.Equal(3, learn.Recorder.Values.Count); // epoch 0 sets the best; 1 and 2 do not improve it
        Assert.Contains("early stopping", output.ToString());
        Assert.Throws<InvalidOperationException>(() => Make().Fit(1, cbs: [new EarlyStoppingCallback(monitor: "no_such_column")]));
    }

    [Fact]
    public void ReduceLROnPlateau_divides_the_rate_when_the_loss_stalls()
    {
        Learner learn = Make();
        learn.Fit(3, 1e-9, cbs: [new ReduceLROnPlateau(minDelta: 0.1, patience: 1, factor: 10)]);
        Assert.Equal(1e-11, learn.Opt!.Lr, 15); // stalled after epochs 1 and 2
    }

    [Fact]
    public void CsvLogger_writes_the_epoch_table_and_appends()
    {
        using var dir = new TempDir();
        string csv = Path.Combine(dir, "history.csv");
        Learner learn = Make();
        learn.Fit(2, 0.5, cbs: [new CsvLogger(csv)]);
        learn.Fit(1, 0.5, cbs: [new CsvLogger(csv, append: true)]);
        string[] lines = File.ReadAllLines(csv);
        Assert.Equal("epoch,train_loss,valid_loss,accuracy,time", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Equal(learn.Recorder.Values[^1][1], double.Parse(lines[3].Split(',')[2], System.Globalization.CultureInfo.InvariantCulture));
    }
}
