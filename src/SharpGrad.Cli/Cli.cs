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

    /// <summary>Prints <paramref name="message"/> to standard error and returns <see cref="Usage"/>.</summary>
    public static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return Usage;
    }

    /// <summary>Runs <paramref name="body"/>, turning the library's expected exceptions into one-line messages and exit codes.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or DirectoryNotFoundException)
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
