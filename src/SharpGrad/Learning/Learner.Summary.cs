using System.Globalization;
using System.Text;
using SharpGrad.NN;

namespace SharpGrad.Learning;

public sealed partial class Learner
{
    /// <summary>
    /// fastai's <c>learn.summary()</c>: the model run on one training batch, a row per layer (Sequentials expanded, other
    /// modules as one row) with its output shape, parameter count and whether they train; the totals and the
    /// trainable/frozen split; the optimizer, the loss, how many parameter groups are frozen, and the callbacks.
    /// </summary>
    public string Summary()
    {
        Tensor x = Dls.Train.First().X.To(Device); // the batch goes where the model is, as in training
        var rows = new List<(string Type, string Shape, long Params, string Trainable)>();
        bool wasTraining = Model.IsTraining;
        Model.Eval();
        try
        {
            using (Tensor.NoGrad()) Walk(Model, x, rows);
        }
        finally
        {
            Model.Train(wasTraining);
        }
        long total = Model.Parameters().Sum(p => (long)p.Numel), trainable = Model.Parameters().Where(p => p.RequiresGradient).Sum(p => (long)p.Numel);
        const int Width = 76;
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{Model.GetType().Name} (Input shape: {Shape(x)})");
        sb.AppendLine(new string('=', Width));
        sb.AppendLine(CultureInfo.InvariantCulture, $"{"Layer (type)",-24}{"Output Shape",-26}{"Param #",-14}{"Trainable",-10}");
        sb.AppendLine(new string('=', Width));
        foreach (var (type, shape, n, train) in rows)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{type,-24}{shape,-26}{(n == 0 ? "" : n.ToString("N0", CultureInfo.InvariantCulture)),-14}{train,-10}").TrimEnd());
        sb.AppendLine(new string('=', Width));
        sb.AppendLine(CultureInfo.InvariantCulture, $"Total params: {total:N0}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Total trainable params: {trainable:N0}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Total non-trainable params: {total - trainable:N0}");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Optimizer used: {(Opt is null ? OptFunc.Method.Name : Opt.GetType().Name)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Loss function: {LossFunc.Method.Name}");
        if (FrozenGroups > 0) sb.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Model frozen up to parameter group #{FrozenGroups}");
        sb.AppendLine().AppendLine("Callbacks:");
        foreach (Callback cb in Callbacks) sb.AppendLine(CultureInfo.InvariantCulture, $"  - {cb.GetType().Name}");
        return sb.ToString();
    }

    /// <summary>Runs <paramref name="m"/> on <paramref name="x"/>, adding a row per layer; returns the output.</summary>
    private static Tensor Walk(Module m, Tensor x, List<(string, string, long, string)> rows)
    {
        if (m is Sequential seq)
        {
            foreach (Module layer in seq.Layers) x = Walk(layer, x, rows);
            return x;
        }
        Tensor y = m.Forward(x);
        var ps = m.Parameters().ToList();
        string trainable = ps.Count == 0 ? "" : ps.All(p => p.RequiresGradient) ? "True" : ps.Any(p => p.RequiresGradient) ? "Partly" : "False";
        rows.Add((m.GetType().Name, Shape(y), ps.Sum(p => (long)p.Numel), trainable));
        return y;
    }

    private static string Shape(Tensor t) => string.Join(" x ", t.Shape.ToArray());
}
