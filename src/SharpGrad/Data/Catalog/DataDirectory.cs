namespace SharpGrad.Data;

/// <summary>
/// Where datasets are cached: <c>$SHARPGRAD_DATA</c> when set, else the user's data directory
/// (<c>$XDG_DATA_HOME/sharpgrad</c> or <c>~/.local/share/sharpgrad</c> on Linux and macOS, <c>%LOCALAPPDATA%\SharpGrad</c> on Windows).
/// An explicit directory (the CLI's <c>--data</c>) overrides both.
/// </summary>
public static class DataDirectory
{
    /// <summary>The environment variable that overrides the default cache directory.</summary>
    public const string EnvironmentVariable = "SHARPGRAD_DATA";

    /// <summary>The cache root to use: <paramref name="explicitDirectory"/> when given, else <c>$SHARPGRAD_DATA</c>, else <see cref="Default"/>.</summary>
    public static string Resolve(string? explicitDirectory = null)
    {
        string? chosen = !string.IsNullOrWhiteSpace(explicitDirectory) ? explicitDirectory
            : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env ? env
            : Default;
        return Path.GetFullPath(chosen!);
    }

    /// <summary>The per-user default, ignoring the environment variable.</summary>
    public static string Default
    {
        get
        {
            if (OperatingSystem.IsWindows())
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "SharpGrad");
            string? xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
            string baseDir = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
            return Path.Combine(baseDir, "sharpgrad");
        }
    }
}
