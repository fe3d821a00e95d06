namespace SharpGrad.Learning;

/// <summary>
/// Sets optimizer hyperparameters from schedules before every training batch, by the fraction of training done
/// (fastai's <c>ParamScheduler</c>); the values used are kept in <see cref="Hyper"/>. A hyperparameter has one schedule
/// for every parameter group, or one schedule per group (discriminative learning rates keep their ratios that way).
/// </summary>
public class ParamScheduler : Callback
{
    private readonly IReadOnlyDictionary<string, IReadOnlyList<Func<double, double>>> _schedules;

    /// <summary>One schedule per hyperparameter, for every group.</summary>
    public ParamScheduler(IReadOnlyDictionary<string, Func<double, double>> schedules)
        : this(schedules.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<Func<double, double>>)[kv.Value]))
    {
    }

    /// <summary>Per hyperparameter either one schedule for every group or one per parameter group, in group order.</summary>
    public ParamScheduler(IReadOnlyDictionary<string, IReadOnlyList<Func<double, double>>> schedules)
    {
        foreach ((string name, IReadOnlyList<Func<double, double>> list) in schedules)
            if (list.Count == 0) throw new ArgumentException($"ParamScheduler: no schedule for '{name}'.");
        _schedules = schedules;
    }

    /// <summary>fastai's order: after the recorder (50), so its after-batch code sees the updated smoothed loss.</summary>
    public override int Order => 60;

    /// <inheritdoc/>
    public override bool RunValid => false;

    /// <summary>Each hyperparameter's value at every training batch (the last group's, as fastai reports it).</summary>
    public Dictionary<string, List<double>> Hyper { get; } = [];

    /// <inheritdoc/>
    public override void BeforeFit()
    {
        Hyper.Clear();
        foreach (string name in _schedules.Keys) Hyper[name] = [];
        foreach ((string name, IReadOnlyList<Func<double, double>> list) in _schedules)
            if (list.Count > 1 && list.Count != Learn.Opt!.ParamGroups.Count)
                throw new InvalidOperationException($"ParamScheduler: {list.Count} schedules for '{name}' but the optimizer has {Learn.Opt.ParamGroups.Count} parameter groups.");
    }

    /// <inheritdoc/>
    public override void BeforeBatch() => Set(Learn.PctTrain);

    /// <summary>Sets every scheduled hyperparameter for progress <paramref name="pos"/>.</summary>
    protected void Set(double pos)
    {
        foreach ((string name, IReadOnlyList<Func<double, double>> list) in _schedules)
        {
            if (!Learn.Opt!.HasHyper(name))
            {
                Hyper[name].Add(list[^1](pos));
                continue;
            }
            if (list.Count == 1) Learn.Opt.SetHyper(name, list[0](pos));
            else Learn.Opt.SetHyper(name, list.Select(s => s(pos)).ToArray());
            Hyper[name].Add(Learn.Opt.ParamGroups[^1][name]);
        }
    }
}
