using SharpGrad.Data;
using SharpGrad.Data.Images;
using SharpGrad.Learning;
using SharpGrad.Vision;
using Xunit.Abstractions;

namespace SharpGrad.Tests.Vision;

/// <summary>
/// Transfer learning works: fine_tune from the pretrained body beats the same recipe from random weights on a small
/// Fashion-MNIST set at 112×112 (a test-sized run of examples/fine_tune_pretrained.cs; the full run is in docs/benchmarks.md).
/// </summary>
[Collection("Real datasets")]
public class TransferLearningTests(ITestOutputHelper log)
{
    [Fact]
    public void Fine_tuning_the_pretrained_resnet18_beats_random_weights_by_a_clear_margin()
    {
        MnistData fashion = Datasets.LoadIdx(Datasets.FashionMnist);
        using var dir = new Data.TempDir();
        void Write(string split, Tensor images, Tensor labels, int perClass)
        {
            var counts = new int[10];
            byte[] all = images.ToArray<byte>();
            long[] y = labels.ToArray<long>();
            for (int i = 0; i < y.Length && counts.Any(n => n < perClass); i++)
            {
                if (counts[y[i]]++ >= perClass) continue;
                string d = Path.Combine(dir, split, $"class{y[i]}");
                Directory.CreateDirectory(d);
                File.WriteAllBytes(Path.Combine(d, $"{i}.png"), PngEncoder.Encode(new Image(28, 28, 1, all[(i * 784)..((i + 1) * 784)])));
            }
        }
        Write("train", fashion.TrainImages, fashion.TrainLabels, 60);
        Write("valid", fashion.TestImages, fashion.TestLabels, 30);

        double Run(bool pretrained)
        {
            DataLoaders dls = ImageDataLoaders.FromFolder(dir, bs: 32, channels: 3, itemTfms: new Resize(112));
            Learner learn = VisionLearner.Create(dls, Arch.Resnet18, pretrained, metrics: [Metrics.Accuracy], generator: new Generator(42));
            learn.Output = null;
            learn.Progress = SharpGrad.Reporting.Reporters.Silent;
            learn.FineTune(1);
            return learn.Recorder.Values[^1][2];
        }
        double withWeights = Run(true), fromScratch = Run(false);
        log.WriteLine($"fine_tune(1), 600 images at 112x112: pretrained {withWeights:F4}, random {fromScratch:F4}");
        Assert.True(withWeights >= 0.65, $"pretrained accuracy {withWeights:F4} (chance 0.10)");
        Assert.True(withWeights >= fromScratch + 0.08, $"pretrained {withWeights:F4} vs random {fromScratch:F4}: no clear transfer gain");
    }
}
