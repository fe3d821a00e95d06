using SharpGrad.Optim;

namespace SharpGrad.Learning;

/// <summary>Makes the learner's optimizer from its parameter groups and a starting learning rate (fastai's <c>opt_func</c>).</summary>
public delegate Optimizer OptimizerFactory(IReadOnlyList<IReadOnlyList<Tensor>> groups, double lr);

/// <summary>The built-in optimizer factories.</summary>
public static class Optimizers
{
    /// <summary>fastai's <c>SGD</c>: plain <c>p -= lr·grad</c> (mom 0, wd 0).</summary>
    public static OptimizerFactory Sgd { get; } = (groups, lr) => new Sgd(groups, lr);

    /// <summary>SGD with momentum and weight decay.</summary>
    public static OptimizerFactory SgdWith(double mom = 0.9, double wd = 0) => (groups, lr) => new Sgd(groups, lr, mom, wd);

    /// <summary>fastai's <c>Adam</c> (mom 0.9, sqr_mom 0.99, eps 1e-5, decoupled wd 0.01).</summary>
    public static OptimizerFactory Adam { get; } = (groups, lr) => new Adam(groups, lr);

    /// <summary>The same as <see cref="Adam"/>: fastai's Adam decouples weight decay, which makes it AdamW.</summary>
    public static OptimizerFactory AdamW => Adam;

    /// <summary>Adam with other hyperparameters.</summary>
    public static OptimizerFactory AdamWith(double mom = 0.9, double sqrMom = 0.99, double eps = 1e-5, double wd = 0.01) =>
        (groups, lr) => new Adam(groups, lr, mom, sqrMom, eps, wd);
}
