using System.Globalization;

namespace SharpGrad.Learning;

/// <summary>
/// Warns once per fit, on the learner's output, when training is going nowhere: after the third epoch the training
/// loss has not fallen by a tenth from the first epoch's and the accuracy is at chance (within 5 points of one over the
/// number of classes). The tenth allows for the smoothed loss drifting a little while the predictions stay constant. A learning rate far too high (or too low) looks like this, and otherwise every epoch would run on with
/// no sign that anything is wrong. Added to every <see cref="Learner"/>; remove it with <see cref="Learner.RemoveCallback"/>.
/// </summary>
public sealed class StallWarning : Callback
{
    private bool _warned;

    /// <inheritdoc/>
    public override int Order => 75;

    /// <summary>The epoch (1-based) at which training is judged.</summary>
    public const int JudgedAfterEpoch = 3;

    /// <inheritdoc/>
    public override void BeforeFit() => _warned = false;

    /// <inheritdoc/>
    public override void AfterEpoch()
    {
        if (_warned || Learn.Output is null || Learn.Recorder.Values.Count != JudgedAfterEpoch) return;
        int classes = Learn.Dls.Vocab.Count;
        if (classes < 2) return;
        double first = Learn.Recorder.Values[0][0], now = Learn.Recorder.Values[^1][0];
        if (!(now > 0.9 * first)) return; // improved (or NaN, which stops training with its own message)
        double chance = 1.0 / classes;
        IReadOnlyList<string> names = Learn.Recorder.MetricNames;
        for (int i = 2; i < names.Count; i++)
        {
            double v = Learn.Recorder.Values[^1][i];
            double? accuracy = names[i].Contains("accuracy", StringComparison.Ordinal) ? v : names[i] == "error_rate" ? 1 - v : null;
            if (accuracy is not { } a || !(a <= chance + 0.05)) continue;
            _warned = true;
            Learn.Output.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "warning: after {0} epochs the training loss ({1:F4}) has hardly moved from the first epoch's ({2:F4}) and {3} ({4:F4}) is at chance " +
                "for {5} classes: the learning rate ({6:G3} now) is probably far too high or too low; try lr_find (Learner.LrFind, 'sharpgrad lr-find').",
                JudgedAfterEpoch, now, first, names[i], v, classes, Learn.Opt!.Lr));
            return;
        }
    }
}
