namespace SharpGrad.Learning;

/// <summary>
/// Code run at the loop's events (fastai's <c>Callback</c>): override the methods you need. Callbacks run in
/// <see cref="Order"/>; <see cref="RunTrain"/> and <see cref="RunValid"/> say whether they run during each pass.
/// Throw one of the cancel exceptions (e.g. <see cref="CancelFitException"/>) to stop part of the loop.
/// </summary>
public abstract class Callback
{
    /// <summary>Lower runs first (fastai's <c>order</c>); the recorder is 50, progress output 60.</summary>
    public virtual int Order => 0;

    /// <summary>Whether to run during training passes.</summary>
    public virtual bool RunTrain => true;

    /// <summary>Whether to run during validation passes.</summary>
    public virtual bool RunValid => true;

    /// <summary>The learner this callback belongs to; set when it is added.</summary>
    public Learner Learn { get; internal set; } = null!;

    /// <summary>Dispatches <paramref name="e"/> to the matching method.</summary>
    public void Handle(Event e)
    {
        switch (e)
        {
            case Event.BeforeFit: BeforeFit(); break;
            case Event.BeforeEpoch: BeforeEpoch(); break;
            case Event.BeforeTrain: BeforeTrain(); break;
            case Event.BeforeBatch: BeforeBatch(); break;
            case Event.AfterPred: AfterPred(); break;
            case Event.AfterLoss: AfterLoss(); break;
            case Event.BeforeBackward: BeforeBackward(); break;
            case Event.BeforeStep: BeforeStep(); break;
            case Event.AfterStep: AfterStep(); break;
            case Event.AfterCancelBatch: AfterCancelBatch(); break;
            case Event.AfterBatch: AfterBatch(); break;
            case Event.AfterCancelTrain: AfterCancelTrain(); break;
            case Event.AfterTrain: AfterTrain(); break;
            case Event.BeforeValidate: BeforeValidate(); break;
            case Event.AfterCancelValidate: AfterCancelValidate(); break;
            case Event.AfterValidate: AfterValidate(); break;
            case Event.AfterCancelEpoch: AfterCancelEpoch(); break;
            case Event.AfterEpoch: AfterEpoch(); break;
            case Event.AfterCancelFit: AfterCancelFit(); break;
            case Event.AfterFit: AfterFit(); break;
        }
    }

    /// <summary>Before the first epoch.</summary>
    public virtual void BeforeFit() { }
    /// <summary>Before each epoch.</summary>
    public virtual void BeforeEpoch() { }
    /// <summary>Before the training pass.</summary>
    public virtual void BeforeTrain() { }
    /// <summary>Before each batch.</summary>
    public virtual void BeforeBatch() { }
    /// <summary>After the forward pass (<see cref="Learner.Pred"/> is set).</summary>
    public virtual void AfterPred() { }
    /// <summary>After the loss (<see cref="Learner.Loss"/> is set).</summary>
    public virtual void AfterLoss() { }
    /// <summary>Before backward.</summary>
    public virtual void BeforeBackward() { }
    /// <summary>After backward, before the optimizer step.</summary>
    public virtual void BeforeStep() { }
    /// <summary>After the optimizer step.</summary>
    public virtual void AfterStep() { }
    /// <summary>After a batch was cancelled.</summary>
    public virtual void AfterCancelBatch() { }
    /// <summary>After each batch.</summary>
    public virtual void AfterBatch() { }
    /// <summary>After the training pass was cancelled.</summary>
    public virtual void AfterCancelTrain() { }
    /// <summary>After the training pass.</summary>
    public virtual void AfterTrain() { }
    /// <summary>Before the validation pass.</summary>
    public virtual void BeforeValidate() { }
    /// <summary>After the validation pass was cancelled.</summary>
    public virtual void AfterCancelValidate() { }
    /// <summary>After the validation pass.</summary>
    public virtual void AfterValidate() { }
    /// <summary>After an epoch was cancelled.</summary>
    public virtual void AfterCancelEpoch() { }
    /// <summary>After each epoch.</summary>
    public virtual void AfterEpoch() { }
    /// <summary>After the fit was cancelled.</summary>
    public virtual void AfterCancelFit() { }
    /// <summary>After the fit.</summary>
    public virtual void AfterFit() { }
}
