namespace SharpGrad.Autograd;

/// <summary>Whether ops record themselves for backward on this thread (on by default).</summary>
internal static class GradMode
{
    [ThreadStatic] private static bool t_disabled;

    public static bool IsEnabled => !t_disabled;

    public static bool Set(bool enabled)
    {
        bool previous = !t_disabled;
        t_disabled = !enabled;
        return previous;
    }
}

/// <summary>Restores the previous grad mode when disposed; returned by <see cref="Tensor.NoGrad"/>.</summary>
public readonly struct GradModeScope : IDisposable
{
    private readonly bool _previous;

    internal GradModeScope(bool enabled) => _previous = GradMode.Set(enabled);

    /// <summary>Restores the grad mode that was in force before this scope.</summary>
    public void Dispose() => GradMode.Set(_previous);
}
