using SharpGrad.Data;
using SharpGrad.Learning;
using SharpGrad.Vision;

namespace SharpGrad.Tests.Vision;

/// <summary>fastai's cnn_learner on a slice of mnist-sample (384 training images): a short 1cycle fit must learn.</summary>
[Collection("Real datasets")]
public class CnnLearnerTrainingTests
{
    [Fact]
    public void Resnet18_learns_3_vs_7_from_a_few_hundred_images()
    {
        Tensor.ManualSeed(1);
        DataLoaders all = ImageDataLoaders.FromFolder(Datasets.Get(Datasets.MnistSample), bs: 64);
        int[] trainIdx = Enumerable.Range(0, 384).Select(i => i * 31 % all.Train.Dataset.Count).ToArray();
        int[] validIdx = Enumerable.Range(0, 256).Select(i => i * 7 % all.Valid.Dataset.Count).ToArray();
        Batch train = all.Train.Dataset.Collate(trainIdx), valid = all.Valid.Dataset.Collate(validIdx);
        var dls = new DataLoaders(new DataLoader(new TensorDataset(train.X, train.Y), 64, shuffle: true, generator: new Generator(2)),
                                  new DataLoader(new TensorDataset(valid.X, valid.Y), 128), all.Vocab);
        Learner learn = CnnLearner.Create(dls, Arch.Resnet18, metrics: [Metrics.Accuracy], generator: new Generator(3));
        learn.Output = null;
        learn.FitOneCycle(5, 0.01);
        // Early epochs validate with barely-estimated batch-norm statistics; by the fifth the model must have learned.
        double accuracy = learn.Recorder.Values[^1][2];
        Assert.True(accuracy > 0.8, $"accuracy {accuracy:F4}");
        Assert.True(learn.Recorder.Values[^1][1] < learn.Recorder.Values[0][1], "validation loss did not fall");
    }
}
