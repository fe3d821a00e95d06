namespace SharpGrad.Learning;

/// <summary>
/// Sets optimizer hyperparameters from schedules before every training batch, by the fraction of training done
/// (fastai's <c>ParamScheduler</c>); the values used are kept in <see cref="Hyper"/>.
/// </summary>
public class ParamScheduler(IReadOnlyDictionary<string, Func<double, double>> schedules) : Callback
{
    /// <summary>fastai's order: after the recorder (50), so its after-batch code sees the updated smoothed loss.</summary>
    public override int Order => 60;

    /// <inheritdoc/>
    public override bool RunValid => false;

    /// <summary>Each hyperparameter's value at every training batch.</summary>
    public Dictionary<string, List<double>> Hyper { get; } = [];

    /// <inheritdoc/>
    public override void BeforeFit()
    {
        Hyper.Clear();
        foreach (string name in schedules.Keys) Hyper[name] = [];
    }

    /// <inheritdoc/>
    public override void BeforeBatch() => Set(Learn.PctTrain);

    /// <summary>Sets every scheduled hyperparameter for progress <paramref name="pos"/>.</summary>
    protected void Set(double pos)
    {
        foreach ((string name, Func<double, double> schedule) in schedules)
        {
            double value = schedule(pos);
            if (Learn.Opt!.HasHyper(name)) Learn.Opt.SetHyper(name, value);
            Hyper[name].Add(value);
        }
    }
}
