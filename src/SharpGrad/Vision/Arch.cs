namespace SharpGrad.Vision;

/// <summary>The architectures <see cref="CnnLearner"/> can build.</summary>
public enum Arch
{
    /// <summary>torchvision's resnet18.</summary>
    Resnet18,

    /// <summary>torchvision's resnet34.</summary>
    Resnet34,
}
