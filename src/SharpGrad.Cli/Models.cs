using SharpGrad.Learning;
using SharpGrad.NN;

namespace SharpGrad.Cli;

/// <summary>The CLI's architectures and the loss and metric that follow the number of classes.</summary>
internal static class Models
{
    /// <summary><c>linear</c>: Flatten, Linear(features, outputs). <c>mlp</c>: chapter 4's simple_net, Flatten, Linear, ReLU, Linear.</summary>
    public static Module Build(string arch, int features, int hidden, int classes)
    {
        int outputs = Outputs(classes);
        return arch switch
        {
            "linear" => Nn.Sequential(Nn.Flatten(), Nn.Linear(features, outputs)),
            "mlp" => Nn.Sequential(Nn.Flatten(), Nn.Linear(features, hidden), Nn.ReLU(), Nn.Linear(hidden, outputs)),
            _ => throw new ArgumentException($"Unknown --arch '{arch}'; use linear or mlp."),
        };
    }

    /// <summary>Two classes: one output, as chapter 4's models; more: one per class.</summary>
    public static int Outputs(int classes) => classes == 2 ? 1 : classes;

    /// <summary>Chapter 4's mnist_loss for two classes (sigmoid, then distance from the target), cross-entropy for more.</summary>
    public static Func<Tensor, Tensor, Tensor> Loss(int classes) => classes == 2 ? MnistLoss : F.CrossEntropy;

    /// <summary>The seed's batch_accuracy for two classes, accuracy for more.</summary>
    public static Metric Metric(int classes) => classes == 2 ? Metrics.BatchAccuracy : Metrics.Accuracy;

    /// <summary>fastbook's <c>mnist_loss</c>: <c>where(targets == 1, 1 - sigmoid(p), sigmoid(p)).mean()</c>.</summary>
    public static Tensor MnistLoss(Tensor predictions, Tensor targets)
    {
        Tensor p = predictions.Sigmoid();
        Tensor t = targets.Reshape(p.Shape.ToArray());
        if (!p.IsOnDevice) return Tensor.Where(t.Eq(1f), p.RSub(1f), p).Mean();
        // On a device (where the labels do not go): the same choice as a blend with a 0/1 mask made on the CPU.
        Tensor m = t.Eq(1f).Float().To(p.Device);
        return (m * p.RSub(1f) + m.RSub(1f) * p).Mean();
    }
}
