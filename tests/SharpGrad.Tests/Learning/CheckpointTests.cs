using SharpGrad.Data;
using SharpGrad.IO;
using SharpGrad.Learning;
using SharpGrad.NN;
using SharpGrad.Tests.Data;

namespace SharpGrad.Tests.Learning;

[CollectionDefinition(nameof(GlobalGeneratorState), DisableParallelization = true)]
public sealed class GlobalGeneratorState;

/// <summary>
/// A fit interrupted and resumed from its checkpoint ends with exactly the weights of an uninterrupted one: a small CNN
/// with batch norm and dropout, on image files with random crops and batch augmentation, under a 1cycle schedule with Adam.
/// These fits draw from the process-wide <see cref="Generator.Default"/> (the layers' init, the loader's shuffle, and a
/// checkpoint saves and restores its state, as PyTorch's does), so they run alone: a test drawing from it on another
/// thread in between made the resumed weights differ (seen once in CI).
/// </summary>
[Collection(nameof(GlobalGeneratorState))]
public class CheckpointTests
{
    private static Learner Make(string folder)
    {
        Tensor.ManualSeed(5);
        DataLoaders dls = ImageDataLoaders.FromFolder(folder, bs: 8, validPct: 0.25, seed: 3, channels: 3,
            itemTfms: new RandomResizedCrop(16, minScale: 0.5), batchTfms: [new AugTransforms()]);
        var model = Nn.Sequential(Nn.Conv2d(3, 8, 3, padding: 1), Nn.BatchNorm2d(8), Nn.ReLU(), Nn.AdaptiveAvgPool2d(1), Nn.Flatten(),
                                  Nn.Dropout(0.3f, new Generator(11)), Nn.Linear(8, 2));
        return new Learner(dls, model, F.CrossEntropy, Optimizers.Adam, [Metrics.Accuracy]) { Output = null, Progress = SharpGrad.Reporting.Reporters.Silent };
    }

    private static Dictionary<string, float[]> Weights(Learner l) => l.Model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Float().ToArray<float>());

    /// <summary>Throws (a simulated crash) when the fit reaches training batch <paramref name="at"/>.</summary>
    private sealed class Crash(int at) : Callback
    {
        public override void BeforeBatch()
        {
            if (Learn.Training && Learn.TrainIter == at) throw new IOException("simulated crash");
        }
    }

    /// <summary>Cancels a token when the fit reaches training batch <paramref name="at"/>.</summary>
    private sealed class CancelAt(int at, CancellationTokenSource cts) : Callback
    {
        public override void AfterBatch()
        {
            if (Learn.Training && Learn.TrainIter + 1 == at) cts.Cancel();
        }
    }

    [Fact]
    public void A_fit_resumed_after_crashes_and_a_cancellation_ends_with_bitwise_the_same_weights()
    {
        using var dir = new TempDir();
        string folder = Cli.CliTrialTests.TinyFolder(dir, 40), ck = Path.Combine(dir, "ck"); // 60 training images: 7 batches an epoch
        Learner reference = Make(folder);
        reference.FitOneCycle(3, 1e-2);
        Dictionary<string, float[]> expected = Weights(reference);

        // Crash at batch 7 (mid-epoch 1; checkpoints every 3 batches), then at 11, then cancel at 13, then finish.
        foreach (int crashAt in new[] { 7, 11 })
        {
            Learner l = Make(folder);
            l.AddCallback(new CheckpointCallback(ck, everyBatches: 3));
            l.Resume(ck);
            l.AddCallback(new Crash(crashAt));
            Assert.Throws<IOException>(() => l.FitOneCycle(3, 1e-2));
        }
        using (var cts = new CancellationTokenSource())
        {
            Learner l = Make(folder);
            l.AddCallback(new CheckpointCallback(ck, everyBatches: 3));
            Assert.True(l.Resume(ck));
            l.AddCallback(new CancelAt(13, cts));
            Assert.Throws<OperationCanceledException>(() => l.FitOneCycle(3, 1e-2, cancellation: cts.Token));
            Checkpoint.Save(l, Path.Combine(ck, CheckpointCallback.FileName)); // what the CLI does on Ctrl-C
        }
        Learner last = Make(folder);
        last.AddCallback(new CheckpointCallback(ck, everyBatches: 3));
        Assert.True(last.Resume(ck));
        last.FitOneCycle(3, 1e-2);
        Assert.Equal(expected, Weights(last));
        Assert.Equal(reference.Recorder.Values.Count, last.Recorder.Values.Count);
        Assert.Equal([CheckpointCallback.FileName], Directory.GetFiles(ck).Select(Path.GetFileName));
    }

    [Fact]
    public void A_corrupt_checkpoint_is_refused_and_one_for_another_fit_or_model_is_named()
    {
        using var dir = new TempDir();
        string folder = Cli.CliTrialTests.TinyFolder(dir, 10), ck = Path.Combine(dir, "ck"), file = Path.Combine(ck, CheckpointCallback.FileName);
        Learner l = Make(folder);
        l.AddCallback(new CheckpointCallback(ck));
        l.Fit(1, 1e-2);
        byte[] bytes = File.ReadAllBytes(file);
        bytes[^5] ^= 0x40; // a flipped bit in the last tensor's data
        File.WriteAllBytes(file, bytes);
        var e = Assert.Throws<InvalidDataException>(() => Make(folder).Resume(ck));
        Assert.Contains("corrupt", e.Message);
        Assert.Contains(file, e.Message);

        Learner again = Make(folder);
        again.AddCallback(new CheckpointCallback(ck));
        again.Fit(2, 1e-2);
        Learner other = Make(folder);
        other.Resume(ck);
        Assert.Throws<InvalidOperationException>(() => other.Fit(5, 1e-2)); // a checkpoint of a 2-epoch fit
        var wrongModel = new Learner(other.Dls, Nn.Sequential(Nn.Flatten(), Nn.Linear(3 * 16 * 16, 2)), F.CrossEntropy) { Output = null };
        Assert.Contains("another model", Assert.Throws<InvalidDataException>(() => wrongModel.Resume(ck)).Message);
    }

    [Fact]
    public void A_failed_checkpoint_write_leaves_the_previous_checkpoint_intact()
    {
        using var dir = new TempDir();
        string file = Path.Combine(dir, "checkpoint.sgl");
        CheckpointFile.Write(file, new Dictionary<string, Tensor> { ["a"] = Tensor.From(1f, 2f) }, "{}");
        byte[] before = File.ReadAllBytes(file);
        var failing = new FailingTensors(new IOException("No space left on device"));
        var e = Assert.ThrowsAny<IOException>(() => CheckpointFile.Write(file, failing, "{}"));
        Assert.Contains(file, e.Message);
        Assert.Contains("No space left on device", e.Message);
        Assert.Equal(before, File.ReadAllBytes(file));
        Assert.Equal(["checkpoint.sgl"], Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    /// <summary>A tensor dictionary whose enumeration fails part-way, as a full disk fails a write.</summary>
    private sealed class FailingTensors(Exception error) : IReadOnlyDictionary<string, Tensor>
    {
        private readonly Dictionary<string, Tensor> _items = new() { ["a"] = Tensor.Zeros(1000), ["b"] = Tensor.Zeros(1000) };
        public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator()
        {
            yield return _items.First();
            throw error;
        }
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        public int Count => _items.Count;
        public Tensor this[string key] => _items[key];
        public IEnumerable<string> Keys => _items.Keys;
        public IEnumerable<Tensor> Values => _items.Values;
        public bool ContainsKey(string key) => _items.ContainsKey(key);
        public bool TryGetValue(string key, out Tensor value) => _items.TryGetValue(key, out value!);
    }
}
