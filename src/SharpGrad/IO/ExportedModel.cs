using SharpGrad.Learning;
using SharpGrad.NN;

namespace SharpGrad.IO;

/// <summary>A model loaded from an exported learner file: the rebuilt network with its weights, class names and input transform (fastai's <c>load_learner</c>).</summary>
public sealed class ExportedModel
{
    internal ExportedModel(Module model, IReadOnlyList<string> vocab, ImageInput? input, IReadOnlyDictionary<string, string> metadata)
    {
        Model = model;
        Vocab = vocab;
        Input = input;
        Metadata = metadata;
        model.Eval();
    }

    /// <summary>The network, in evaluation mode.</summary>
    public Module Model { get; }

    /// <summary>Class names in label order.</summary>
    public IReadOnlyList<string> Vocab { get; }

    /// <summary>How image files become inputs, or null when the model was not trained on images.</summary>
    public ImageInput? Input { get; }

    /// <summary>Everything stored in the file's header.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The prediction for one input (no batch dimension).</summary>
    public Prediction Predict(Tensor item)
    {
        using (Tensor.NoGrad()) return Prediction.FromOutput(Model.Forward(item.Unsqueeze(0))[0], Vocab);
    }

    /// <summary>The prediction for the image file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidOperationException">The model has no image input transform.</exception>
    public Prediction Predict(string path) =>
        Predict((Input ?? throw new InvalidOperationException("This model was not exported with an image input; pass a tensor to Predict.")).Load(path));
}
