namespace SharpGrad.Learning;

/// <summary>The points of the training loop where callbacks run, in fastai's names and order.</summary>
public enum Event
{
    /// <summary>Before the first epoch of a fit.</summary>
    BeforeFit,
    /// <summary>Before each epoch.</summary>
    BeforeEpoch,
    /// <summary>Before the training pass of an epoch.</summary>
    BeforeTrain,
    /// <summary>Before each batch (training and validation).</summary>
    BeforeBatch,
    /// <summary>After the model's forward pass.</summary>
    AfterPred,
    /// <summary>After the loss is computed.</summary>
    AfterLoss,
    /// <summary>Before the backward pass (training only).</summary>
    BeforeBackward,
    /// <summary>After the backward pass, before the optimizer step.</summary>
    BeforeStep,
    /// <summary>After the optimizer step.</summary>
    AfterStep,
    /// <summary>When a batch was cancelled.</summary>
    AfterCancelBatch,
    /// <summary>After each batch.</summary>
    AfterBatch,
    /// <summary>When the training pass was cancelled.</summary>
    AfterCancelTrain,
    /// <summary>After the training pass.</summary>
    AfterTrain,
    /// <summary>Before the validation pass.</summary>
    BeforeValidate,
    /// <summary>When the validation pass was cancelled.</summary>
    AfterCancelValidate,
    /// <summary>After the validation pass.</summary>
    AfterValidate,
    /// <summary>When the epoch was cancelled.</summary>
    AfterCancelEpoch,
    /// <summary>After each epoch.</summary>
    AfterEpoch,
    /// <summary>When the fit was cancelled.</summary>
    AfterCancelFit,
    /// <summary>After the last epoch.</summary>
    AfterFit,
}
