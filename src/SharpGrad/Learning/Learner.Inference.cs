using SharpGrad.Data;

namespace SharpGrad.Learning;

public sealed partial class Learner
{
    /// <summary>Validation loss and metrics on <paramref name="dl"/> (default the validation set), as <c>[valid_loss, metrics...]</c> (fastai's <c>validate</c>).</summary>
    public double[] Validate(DataLoader? dl = null)
    {
        TextWriter? output = Output;
        try
        {
            Output = null;
            Recorder.Learn = this;
            Recorder.BeforeValidate();
            DoValidate(dl ?? Dls.Valid);
            return Recorder.LastValidation;
        }
        finally
        {
            Output = output;
        }
    }

    /// <summary>The model's outputs and the targets for every item of <paramref name="dl"/> (default the validation set), in order (fastai's <c>get_preds</c>, without activation).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled; stopped before the next batch.</exception>
    public (Tensor Preds, Tensor? Targets) GetPreds(DataLoader? dl = null, CancellationToken cancellation = default)
    {
        DataLoader loader = dl ?? Dls.Valid;
        var preds = new List<Tensor>();
        var targets = new List<Tensor>();
        Model.Eval();
        using (Tensor.NoGrad())
            foreach (Batch b in loader)
            {
                cancellation.ThrowIfCancellationRequested();
                using (new TensorScope()) preds.Add(Model.Forward(ToModelDevice(b.X, null).X).To(Device.Cpu).Keep());
                if (b.Y is not null) targets.Add(b.Y);
            }
        return (Tensor.Cat(preds), targets.Count > 0 ? Tensor.Cat(targets) : null);
    }

    /// <summary>
    /// The prediction for one input <paramref name="item"/> (no batch dimension): the class name (from the vocab when
    /// known), its index and the probabilities (softmax over several outputs; for one output, [1 - p, p] with p = sigmoid).
    /// </summary>
    public Prediction Predict(Tensor item)
    {
        Model.Eval();
        using (Tensor.NoGrad()) return Prediction.FromOutput(Model.Forward(ToModelDevice(item.Unsqueeze(0), null).X).To(Device.Cpu)[0], Dls.Vocab);
    }
}

/// <summary>One prediction: the class, its index and every class's probability.</summary>
/// <param name="Label">The class name.</param>
/// <param name="Index">The class index.</param>
/// <param name="Probabilities">The probability of each class.</param>
public sealed record Prediction(string Label, int Index, Tensor Probabilities)
{
    /// <summary>
    /// Reads one item's model output: softmax over several outputs; for one output (a binary model trained with the
    /// seed's sigmoid-based loss), [1 - p, p] with p = sigmoid. Class names come from <paramref name="vocab"/> when it has them.
    /// </summary>
    public static Prediction FromOutput(Tensor output, IReadOnlyList<string> vocab)
    {
        Tensor flat = output.Detach().Reshape(-1);
        Tensor probs = flat.Numel == 1 ? Tensor.Cat([flat.Sigmoid().RSub(1f), flat.Sigmoid()]) : flat.Softmax(0);
        int index = (int)probs.Argmax().Item();
        string label = index < vocab.Count ? vocab[index] : index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new Prediction(label, index, probs);
    }
}
