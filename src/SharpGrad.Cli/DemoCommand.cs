using System.CommandLine;

namespace SharpGrad.Cli;

/// <summary>
/// <c>sharpgrad demo</c>: fastbook chapter 4's end-to-end SGD example. A roller coaster's speed over 20 seconds is
/// a noisy quadratic; fit f(t) = a·t² + b·t + c by hand-written gradient descent on the RMSE, with autograd.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var seed = new Option<ulong>("--seed") { Description = "Random seed for the data and the initial parameters.", DefaultValueFactory = _ => 42 };
        var steps = new Option<int>("--steps") { Description = "Steps of the second, faster phase.", DefaultValueFactory = _ => 400 };
        var command = new Command("demo", "Chapter 4's end-to-end SGD example: fit a quadratic to noisy speeds with autograd.") { seed, steps };
        command.SetAction(r =>
        {
            int n = r.GetValue(steps);
            if (n < 0) return Cli.Fail($"--steps must be non-negative, got {n}.");
            Run(r.GetValue(seed), n, Console.Out);
            return 0;
        });
        return command;
    }

    /// <summary>f(t) = a·t² + b·t + c.</summary>
    internal static Tensor F(Tensor t, Tensor p) => p[0] * t.Square() + p[1] * t + p[2];

    /// <summary>Root mean squared error.</summary>
    internal static Tensor Rmse(Tensor preds, Tensor targets) => (preds - targets).Square().Mean().Sqrt();

    /// <summary>One step: predict, loss, backward, update the parameters in place, reset the gradient.</summary>
    internal static float Step(Tensor time, Tensor speed, Tensor p, float lr)
    {
        Tensor loss = Rmse(F(time, p), speed);
        loss.Backward();
        p.Data -= p.Grad! * lr;
        p.Grad = null;
        return loss.Item();
    }

    /// <returns>The loss before the first step and after the last.</returns>
    internal static (float First, float Last, Tensor Params) Run(ulong seed, int fastSteps, TextWriter output)
    {
        var gen = new Generator(seed);
        Tensor time = Tensor.Arange(0, 20).Float();
        Tensor speed = Tensor.Randn([20], gen) * 3f + 0.75f * (time - 9.5f).Square() + 1f;
        Tensor p = Tensor.Randn([3], gen).RequiresGrad();
        output.WriteLine("time   = " + time);
        output.WriteLine("speed  = " + speed);
        output.WriteLine("params = " + p);
        output.WriteLine();
        output.WriteLine("Ten steps with lr 1e-5, as in the book; the loss falls:");
        float first = float.NaN, last = float.NaN;
        for (int i = 0; i < 10; i++)
        {
            last = Step(time, speed, p, 1e-5f);
            if (i == 0) first = last;
            output.WriteLine($"  step {i + 1,2}: loss {last:F4}");
        }
        // On raw time the features t², t and 1 differ in scale by ~400×, so no single learning rate suits all three
        // parameters: lr 1e-5 crawls and anything much larger diverges. Rescaling time to s = (t - 9.5) / 9.5 in
        // [-1, 1] conditions the problem, and the same hand-written SGD fits it with lr 1.
        const float fastLr = 1f;
        Tensor s = (time - 9.5f) / 9.5f;
        Tensor q = Tensor.Randn([3], gen).RequiresGrad();
        output.WriteLine();
        output.WriteLine($"Then the same model on time rescaled to s = (t - 9.5) / 9.5, {fastSteps} steps with lr {fastLr:G}:");
        for (int i = 0; i < fastSteps; i++)
        {
            last = Step(s, speed, q, fastLr);
            if ((i + 1) % 100 == 0 || i == fastSteps - 1) output.WriteLine($"  step {i + 1,4}: loss {last:F4}");
        }
        using (Tensor.NoGrad())
        {
            last = Rmse(F(s, q), speed).Item();
            // q0·s² + q1·s + q2 with s = (t - 9.5)/9.5, expanded back into a·t² + b·t + c.
            float q0 = q[0].Item(), q1 = q[1].Item(), q2 = q[2].Item();
            p = Tensor.From(q0 / 90.25f, -2f * q0 / 9.5f + q1 / 9.5f, q0 - q1 + q2);
        }
        output.WriteLine();
        output.WriteLine("fitted a, b, c = " + p + "   (the data came from 0.75, -14.25, 68.69 plus noise of std 3)");
        output.WriteLine($"final RMSE {last:F4}, down from {first:F4}");
        return (first, last, p);
    }
}
