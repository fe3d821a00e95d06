using SharpGrad.Data;

namespace SharpGrad.Tests.Data;

/// <summary>mnist-png, built from MNIST in fastai's layout when its tarball is out of reach: all 70,000 digits.</summary>
[Collection("Real datasets")]
public class MnistPngTests
{
    [Fact]
    public void It_has_every_digit_in_training_and_testing_folders_and_loads_with_from_folder()
    {
        string path = Datasets.Get(Datasets.MnistPng);
        for (int d = 0; d < 10; d++)
        {
            Assert.Equal(DatasetCatalog.MnistTrainCounts[d], Directory.GetFiles(Path.Combine(path, "training", d.ToString())).Length);
            Assert.Equal(DatasetCatalog.MnistTestCounts[d], Directory.GetFiles(Path.Combine(path, "testing", d.ToString())).Length);
        }
        MnistData mnist = Datasets.LoadIdx(Datasets.Mnist);
        Tensor first = ImageTensor.Load(Path.Combine(path, "training", "5", "0.png"));
        Assert.Equal(mnist.TrainImages[0].ToArray<byte>(), first.ToArray<byte>());
    }
}
