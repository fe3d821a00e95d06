namespace SharpGrad.Data;

/// <summary>
/// The four IDX files of MNIST or Fashion-MNIST as tensors: images uint8 <c>[N, 28, 28]</c>, labels int64 <c>[N]</c>.
/// <see cref="Scaled"/> gives float images in 0..1.
/// </summary>
/// <param name="TrainImages">Training images, uint8 <c>[60000, 28, 28]</c>.</param>
/// <param name="TrainLabels">Training labels, int64 <c>[60000]</c>.</param>
/// <param name="TestImages">Test images, uint8 <c>[10000, 28, 28]</c>.</param>
/// <param name="TestLabels">Test labels, int64 <c>[10000]</c>.</param>
public sealed record MnistData(Tensor TrainImages, Tensor TrainLabels, Tensor TestImages, Tensor TestLabels)
{
    /// <summary>Reads <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c> and <c>t10k-labels-idx1-ubyte</c> (each raw or as <c>.gz</c>) from <paramref name="directory"/>.</summary>
    public static MnistData Load(string directory)
    {
        Tensor trainX = Images(directory, "train-images-idx3-ubyte"), trainY = Labels(directory, "train-labels-idx1-ubyte");
        Tensor testX = Images(directory, "t10k-images-idx3-ubyte"), testY = Labels(directory, "t10k-labels-idx1-ubyte");
        if (trainX.Size(0) != trainY.Size(0) || testX.Size(0) != testY.Size(0))
            throw new InvalidDataException($"{directory}: {trainX.Size(0)} training images but {trainY.Size(0)} labels, or {testX.Size(0)} test images but {testY.Size(0)} labels.");
        return new MnistData(trainX, trainY, testX, testY);
    }

    /// <summary>Images as float in 0..1 (pixel / 255): train then test.</summary>
    public (Tensor Train, Tensor Test) Scaled() => (TrainImages.Float() / 255f, TestImages.Float() / 255f);

    private static string Find(string directory, string name)
    {
        string raw = Path.Combine(directory, name);
        if (File.Exists(raw)) return raw;
        if (File.Exists(raw + ".gz")) return raw + ".gz";
        throw new FileNotFoundException($"{directory}: no {name} (or {name}.gz).", raw);
    }

    private static Tensor Images(string directory, string name)
    {
        string path = Find(directory, name);
        Tensor t = IdxReader.Read(path);
        if (t.DType != DType.UInt8 || t.NDim != 3) throw new InvalidDataException($"{path}: expected uint8 images [N, H, W], got {t.DType.TorchName()} {t.Shape}.");
        return t;
    }

    private static Tensor Labels(string directory, string name)
    {
        string path = Find(directory, name);
        Tensor t = IdxReader.Read(path);
        if (t.DType != DType.UInt8 || t.NDim != 1) throw new InvalidDataException($"{path}: expected uint8 labels [N], got {t.DType.TorchName()} {t.Shape}.");
        return t.Long();
    }
}
