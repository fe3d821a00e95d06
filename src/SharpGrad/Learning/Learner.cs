using SharpGrad.Data;
using SharpGrad.NN;
using SharpGrad.Optim;
using SharpGrad.Reporting;

namespace SharpGrad.Learning;

/// <summary>
/// Trains a model on DataLoaders (fastai's <c>Learner</c>): <see cref="Fit(int, double?, double?, IEnumerable{Callback}?, bool, CancellationToken)"/> runs the loop of fastai's events
/// (batch: forward, loss, backward, step, zero grad; then a validation pass under no-grad), prints fastai's epoch
/// table, and lets callbacks observe or change every step.
/// </summary>
public sealed partial class Learner
{
    private readonly List<Callback> _callbacks = [];
    private readonly Func<Module, IReadOnlyList<IReadOnlyList<Tensor>>> _splitter;

    /// <summary>A learner for <paramref name="model"/> on <paramref name="dls"/>.</summary>
    /// <param name="dls">Training and validation batches.</param>
    /// <param name="model">The model.</param>
    /// <param name="lossFunc">loss(predictions, targets), e.g. <see cref="F.CrossEntropy"/>.</param>
    /// <param name="optFunc">Makes the optimizer; default <see cref="Optimizers.Adam"/>, as fastai's.</param>
    /// <param name="metrics">Columns computed on the validation set.</param>
    /// <param name="callbacks">Extra callbacks.</param>
    /// <param name="lr">Default learning rate for <see cref="Fit(int, double?, double?, IEnumerable{Callback}?, bool, CancellationToken)"/> (fastai's 1e-3).</param>
    /// <param name="splitter">Splits the model's parameters into groups; default one group.</param>
    public Learner(DataLoaders dls, Module model, Func<Tensor, Tensor, Tensor> lossFunc, OptimizerFactory? optFunc = null,
                   IEnumerable<Metric>? metrics = null, IEnumerable<Callback>? callbacks = null, double lr = 1e-3,
                   Func<Module, IReadOnlyList<IReadOnlyList<Tensor>>>? splitter = null)
    {
        Dls = dls ?? throw new ArgumentNullException(nameof(dls));
        Model = model ?? throw new ArgumentNullException(nameof(model));
        LossFunc = lossFunc ?? throw new ArgumentNullException(nameof(lossFunc));
        OptFunc = optFunc ?? Optimizers.Adam;
        Metrics = metrics?.ToList() ?? [];
        Lr = lr;
        _splitter = splitter ?? (m => [m.Parameters().ToList()]);
        Recorder = new Recorder();
        AddCallback(Recorder);
        AddCallback(new ProgressPrinter());
        AddCallback(new StallWarning());
        foreach (Callback cb in callbacks ?? []) AddCallback(cb);
    }

    /// <summary>The same as the constructor, in the DESIGN's spelling: <c>Learner.Create(dls, model, opt: Optimizers.Sgd, loss: ..., metrics: [...])</c>.</summary>
    public static Learner Create(DataLoaders dls, Module model, OptimizerFactory? opt = null, Func<Tensor, Tensor, Tensor>? loss = null,
                                 IEnumerable<Metric>? metrics = null, IEnumerable<Callback>? callbacks = null, double lr = 1e-3) =>
        new(dls, model, loss ?? throw new ArgumentNullException(nameof(loss)), opt, metrics, callbacks, lr);

    /// <summary>The data.</summary>
    public DataLoaders Dls { get; set; }

    /// <summary>The model.</summary>
    public Module Model { get; }

    /// <summary>loss(predictions, targets).</summary>
    public Func<Tensor, Tensor, Tensor> LossFunc { get; }

    /// <summary>Makes the optimizer.</summary>
    public OptimizerFactory OptFunc { get; }

    /// <summary>The optimizer, created by the first fit (or <see cref="CreateOpt"/>).</summary>
    public Optimizer? Opt { get; private set; }

    /// <summary>The validation metrics.</summary>
    public IReadOnlyList<Metric> Metrics { get; }

    /// <summary>Default learning rate.</summary>
    public double Lr { get; set; }

    /// <summary>Records losses, learning rates and epoch values.</summary>
    public Recorder Recorder { get; }

    /// <summary>Where the epoch table is printed; null prints nothing. Default <see cref="Console.Out"/>.</summary>
    public TextWriter? Output { get; set; } = Console.Out;

    /// <summary>Where per-pass progress goes. Default <see cref="Reporters.Default"/>.</summary>
    public IProgressReporter Progress { get; set; } = Reporters.Default;

    /// <summary>The callbacks, in the order they run.</summary>
    public IReadOnlyList<Callback> Callbacks => _callbacks;

    // ---- loop state, readable by callbacks ----

    /// <summary>Whether the current pass is a training pass.</summary>
    public bool Training { get; private set; }

    /// <summary>The current epoch (0-based).</summary>
    public int Epoch { get; private set; }

    /// <summary>Epochs in the current fit.</summary>
    public int NEpoch { get; private set; }

    /// <summary>The batch index within the current pass.</summary>
    public int Iter { get; private set; }

    /// <summary>Batches in the current pass.</summary>
    public int NIter { get; private set; }

    /// <summary>Training batches done so far in this fit.</summary>
    public int TrainIter { get; private set; }

    /// <summary>Training batches completed in the current epoch.</summary>
    public int TrainBatchesDone { get; private set; }

    /// <summary>Stops the current fit or prediction at the next batch with <see cref="OperationCanceledException"/> (the <c>cancellation</c> argument of the method running).</summary>
    public CancellationToken Cancellation { get; private set; }

    /// <summary>Counts the current training batch as done (for a checkpoint written from its after-batch event).</summary>
    internal void CountBatchDone()
    {
        TrainIter++;
        TrainBatchesDone = Iter + 1;
    }

    /// <summary>Undoes <see cref="CountBatchDone"/>.</summary>
    internal void UncountBatchDone()
    {
        TrainIter--;
        TrainBatchesDone = Iter;
    }

    /// <summary>Where the next fit continues from (set by <see cref="Checkpoint.Load"/>), or null to start afresh.</summary>
    internal ResumePoint? PendingResume { get; set; }

    /// <summary>Fraction of this fit's training done: epoch progress in [0, 1) (fastai's <c>pct_train</c>), for schedules.</summary>
    public double PctTrain => NEpoch == 0 || NIter == 0 ? 0 : (double)TrainIter / (NEpoch * (double)Dls.Train.Count);

    /// <summary>
    /// The current batch's inputs. The loader collates them inside the batch's <see cref="TensorScope"/> (unless it
    /// prefetches on another thread), so like <see cref="Pred"/> they are released when the batch ends: a callback that
    /// wants them later calls <see cref="Tensor.Keep"/> on them.
    /// </summary>
    public Tensor Xb { get; set; } = null!;

    /// <summary>The current batch's targets (null for inputs-only data); released with the batch, as <see cref="Xb"/>.</summary>
    public Tensor? Yb { get; set; }

    /// <summary>
    /// The model's output on <see cref="Xb"/>. Like every tensor computed during a batch, it is released when the batch
    /// ends (see <see cref="TensorScope"/>): a callback that wants it later calls <see cref="Tensor.Keep"/> on it.
    /// </summary>
    public Tensor Pred { get; set; } = null!;

    /// <summary>The loss of the current batch (released when the batch ends, as <see cref="Pred"/>).</summary>
    public Tensor Loss { get; set; } = null!;

    /// <summary>
    /// Whether a training step gives the forward pass's memory back while backward runs, as each activation's last
    /// reader finishes (default on; as PyTorch frees saved tensors): <see cref="Xb"/>, <see cref="Yb"/>,
    /// <see cref="Pred"/> and <see cref="Loss"/> stay readable, other activations of the step read as released after
    /// backward. Turn it off for a model that keeps an activation of its own to read after backward (or Keep() it).
    /// </summary>
    public bool FreeActivationsInBackward { get; set; } = true;

    /// <summary>Adds a callback; it runs in <see cref="Callback.Order"/>.</summary>
    public Learner AddCallback(Callback cb)
    {
        cb.Learn = this;
        _callbacks.Add(cb);
        var sorted = _callbacks.OrderBy(c => c.Order).ToList(); // stable: equal orders keep insertion order
        _callbacks.Clear();
        _callbacks.AddRange(sorted);
        return this;
    }

    /// <summary>Removes a callback.</summary>
    public Learner RemoveCallback(Callback cb)
    {
        _callbacks.Remove(cb);
        return this;
    }

    /// <summary>Whether batch-norm and bias parameters get weight decay too (fastai's <c>wd_bn_bias</c>, default false).</summary>
    public bool WdBnBias { get; set; }

    /// <summary>Creates the optimizer over the model's parameter groups (fastai's <c>create_opt</c>); batch-norm and bias parameters are exempt from weight decay unless <see cref="WdBnBias"/>.</summary>
    public Optimizer CreateOpt()
    {
        // The optimizer takes every parameter; a frozen learner's freezing is applied again afterwards.
        foreach (Tensor p in Model.Parameters()) p.RequiresGrad(true);
        Opt = OptFunc(_splitter(Model), Lr);
        if (!WdBnBias) Opt.ExcludeFromWeightDecay(NormAndBiasParameters(Model));
        ApplyFreeze();
        return Opt;
    }

    /// <summary>The parameters of batch-norm layers and every module's <c>bias</c> (fastai's <c>norm_bias_params</c>).</summary>
    public static IEnumerable<Tensor> NormAndBiasParameters(Module model) =>
        model.NamedModules().SelectMany(m => m.Module is BatchNorm
            ? m.Module.OwnParameters().Select(p => p.Parameter)
            : m.Module.OwnParameters().Where(p => p.Name == "bias").Select(p => p.Parameter));

    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs at <paramref name="lr"/> (default <see cref="Lr"/>), validating after each.
    /// The optimizer is created on the first fit and kept afterwards unless <paramref name="resetOpt"/>.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite; names the epoch and batch.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled; the fit stopped before its next batch.</exception>
    public void Fit(int epochs, double? lr = null, double? wd = null, IEnumerable<Callback>? cbs = null, bool resetOpt = false, CancellationToken cancellation = default)
    {
        if (lr is <= 0 || lr is double.NaN) throw new ArgumentOutOfRangeException(nameof(lr), lr, "Fit: the learning rate must be positive.");
        FitWith(epochs, opt => opt.SetHyper("lr", lr ?? Lr), wd, cbs, resetOpt, cancellation);
    }

    /// <summary>
    /// <see cref="Fit(int, double?, double?, IEnumerable{Callback}?, bool, CancellationToken)"/> with discriminative learning rates: each
    /// parameter group gets its rate from <paramref name="lr"/> (fastai's <c>fit(n, slice(lo, hi))</c>).
    /// </summary>
    public void Fit(int epochs, Slice lr, double? wd = null, IEnumerable<Callback>? cbs = null, bool resetOpt = false, CancellationToken cancellation = default) =>
        FitWith(epochs, opt => opt.SetHyper("lr", lr.ForGroups(opt.ParamGroups.Count)), wd, cbs, resetOpt, cancellation);

    private void FitWith(int epochs, Action<Optimizer> setLr, double? wd, IEnumerable<Callback>? cbs, bool resetOpt, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        if (epochs < 0) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "Fit: epochs must be non-negative.");
        if (PendingResume is { } resume && resume.NEpoch != epochs)
            throw new InvalidOperationException($"The checkpoint being resumed was taken in a fit of {resume.NEpoch} epochs; resume it with the same fit call, not one of {epochs}.");
        if (epochs > 0 && Dls.Train.Count == 0)
            throw new InvalidOperationException($"Fit: the training set has no items (batch size {Dls.Train.BatchSize}); there is nothing to train on.");
        if (resetOpt || Opt is null) CreateOpt();
        if (wd is { } w) Opt!.SetHyper("wd", w);
        setLr(Opt!);
        var extra = cbs?.ToList() ?? [];
        foreach (Callback cb in extra) AddCallback(cb);
        Cancellation = cancellation;
        try
        {
            NEpoch = epochs;
            TrainIter = 0;
            WithEvents(() =>
            {
                int first = 0;
                if (PendingResume is { } r)
                {
                    // After the callbacks' BeforeFit (which reset the recorder), put the interrupted fit's state back.
                    PendingResume = null;
                    r.Restore(this);
                    (first, TrainIter) = (r.Epoch, r.TrainIter);
                }
                for (Epoch = first; Epoch < epochs; Epoch++)
                    WithEvents(DoEpoch, Event.BeforeEpoch, Event.AfterCancelEpoch, Event.AfterEpoch, typeof(CancelEpochException));
            }, Event.BeforeFit, Event.AfterCancelFit, Event.AfterFit, typeof(CancelFitException));
        }
        finally
        {
            foreach (Callback cb in extra) RemoveCallback(cb);
            Cancellation = default;
        }
    }

    private void DoEpoch()
    {
        Model.Train();
        Training = true;
        WithEvents(() => AllBatches(Dls.Train), Event.BeforeTrain, Event.AfterCancelTrain, Event.AfterTrain, typeof(CancelTrainException));
        DoValidate(Dls.Valid);
    }

    private void DoValidate(DataLoader dl)
    {
        Model.Eval();
        Training = false;
        using (Tensor.NoGrad())
            WithEvents(() => AllBatches(dl), Event.BeforeValidate, Event.AfterCancelValidate, Event.AfterValidate, typeof(CancelValidException));
    }

    private void AllBatches(DataLoader dl)
    {
        NIter = dl.Count;
        Iter = dl.PendingSkip; // a resumed epoch starts after the batches trained before the checkpoint
        if (Training) TrainBatchesDone = Iter;
        using IEnumerator<Batch> batches = dl.GetEnumerator();
        while (true)
        {
            Cancellation.ThrowIfCancellationRequested();
            // Everything a batch computes is released when it ends, so the next batch reuses the same memory (on a
            // device too: the batch's copy there is freed with it). The scope is open while the loader collates, so
            // the batch itself comes from the pool too: a fresh 38 MB batch (64 RGB images at 224) every step made the
            // GC give memory back to the system and fault it in again, at times halving a JPEG pipeline's throughput.
            using (new TensorScope())
            {
                if (!batches.MoveNext()) break;
                Batch b = batches.Current;
                (Xb, Yb) = ToModelDevice(b.X, b.Y);
                WithEvents(OneBatch, Event.BeforeBatch, Event.AfterCancelBatch, Event.AfterBatch, typeof(CancelBatchException));
            }
            Iter++;
            if (Training)
            {
                TrainIter++;
                TrainBatchesDone = Iter;
            }
        }
    }

    /// <summary>
    /// The device the model lives on, where batches go before the forward pass (fastai's <c>dls.device</c>). Change it
    /// with <see cref="To"/>.
    /// </summary>
    public Device Device => Model.Device;

    /// <summary>
    /// Moves the model, the optimizer's state and, from now on, every batch's inputs (and float targets) to
    /// <paramref name="device"/> (PyTorch's <c>model.to(device)</c> with fastai moving batches). Class labels stay on
    /// the CPU: losses and metrics take them there. Returns this learner.
    /// </summary>
    /// <exception cref="InvalidOperationException">No backend for the device; the message names the package.</exception>
    public Learner To(Device device)
    {
        OptimizerSnapshot? state = Opt?.Snapshot();
        Model.To(device);
        if (state is not null) Opt!.Restore(state);
        return this;
    }

    /// <summary>A batch's inputs, and float targets, on the model's device; int64 labels stay on the CPU.</summary>
    internal (Tensor X, Tensor? Y) ToModelDevice(Tensor x, Tensor? y)
    {
        Device device = Device;
        if (device.IsCpu) return (x, y);
        return (x.To(device), y is { DType: DType.Float32 } ? y.To(device) : y);
    }

    private void OneBatch()
    {
        Pred = Model.Forward(Xb);
        Fire(Event.AfterPred);
        if (Yb is null) return;
        Loss = LossFunc(Pred, Yb);
        if (Loss.Numel != 1) throw new InvalidOperationException($"The loss function returned a tensor of shape {Loss.Shape}; it must return one value (reduce with Mean()).");
        if (Training)
        {
            float value = Loss.Item();
            if (!float.IsFinite(value)) throw new TrainingDivergedException(Epoch, Iter, value);
        }
        Fire(Event.AfterLoss);
        if (!Training) return;
        Fire(Event.BeforeBackward);
        // The forward pass's memory goes back as backward passes it (PyTorch frees saved tensors with their nodes):
        // about 700 MB less at the peak of a 224x224 batch-32 resnet18 step. What the loop reads afterwards is kept.
        Loss.Backward(null, retainGraph: false, freeSavedExcept: FreeActivationsInBackward ? [Pred, Loss, Xb, .. Yb is null ? [] : (Tensor[])[Yb]] : null);
        Fire(Event.BeforeStep);
        Opt!.Step();
        Fire(Event.AfterStep);
        Opt.ZeroGrad(setToNone: false); // fastai's Optimizer.zero_grad zeroes in place, so the gradients' memory is reused
    }

    private void WithEvents(Action body, Event before, Event afterCancel, Event after, Type cancel)
    {
        try
        {
            Fire(before);
            body();
        }
        catch (Exception e) when (e.GetType() == cancel)
        {
            Fire(afterCancel);
        }
        Fire(after);
    }

    /// <summary>
    /// Runs the callbacks for event <paramref name="e"/>. As in fastai, <see cref="Callback.RunTrain"/> and
    /// <see cref="Callback.RunValid"/> filter only the per-batch events; fit, epoch and pass events reach every callback.
    /// </summary>
    public void Fire(Event e)
    {
        bool inner = e is >= Event.BeforeBatch and <= Event.AfterBatch;
        foreach (Callback cb in _callbacks.ToArray())
            if (!inner || (Training ? cb.RunTrain : cb.RunValid)) cb.Handle(e);
    }
}
