using SharpGrad.Data;
using SharpGrad.Data.Images;
using SharpGrad.Learning;

namespace SharpGrad.Cli;

/// <summary>Exit codes and the error handling every command shares: expected failures print one clear line, not a stack trace.</summary>
internal static class Cli
{
    /// <summary>Invalid arguments.</summary>
    public const int Usage = 2;

    /// <summary>Bad input data or an unavailable dataset.</summary>
    public const int DataError = 1;

    /// <summary>The command being run as the user types it (<c>sharpgrad train</c>), for hints.</summary>
    public static string CommandPath { get; set; } = "sharpgrad";

    /// <summary><c>sharpgrad</c> and the names of the sub-commands down to <paramref name="result"/>.</summary>
    public static string PathOf(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = result; r is not null; r = r.Parent)
            if (r is System.CommandLine.Parsing.CommandResult c && c.Parent is not null) names.Insert(0, c.Command.Name);
        return string.Join(' ', ["sharpgrad", .. names]);
    }

    /// <summary>Prints <paramref name="message"/> (when given) and a one-line hint to <c>--help</c> to standard error; returns <see cref="Usage"/>.</summary>
    public static int Fail(string? message)
    {
        if (message is not null) Console.Error.WriteLine(message);
        Console.Error.WriteLine($"Run '{CommandPath} --help' for usage.");
        return Usage;
    }

    /// <summary>
    /// Null when <paramref name="path"/> is an existing file; otherwise the message for it, which says whether it is
    /// missing or a folder.
    /// </summary>
    public static string? MissingFile(string path, string what) =>
        File.Exists(path) ? null
        : Directory.Exists(path) ? $"{what} '{path}' is a folder, not a file."
        : $"{what} '{path}' does not exist.";

    /// <summary>Runs <paramref name="body"/>, turning the library's expected exceptions into one-line messages and exit codes.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(e.Message);
            return Usage;
        }
        catch (Exception e) when (e is DatasetUnavailableException or InvalidDataException or ImageDecodeException or TrainingDivergedException or IOException or NotSupportedException)
        {
            Console.Error.WriteLine(e.Message);
            return DataError;
        }
    }
}
