namespace SharpGrad.Data.Images;

/// <summary>
/// An image file is malformed or unsupported. The message names the source and then the problem,
/// e.g. <c>digit.png: PNG chunk IDAT at offset 33 has a bad CRC (stored 0x12345678, computed 0x9ABCDEF0)</c>.
/// </summary>
/// <remarks>
/// Derives from <see cref="IOException"/> (<see cref="InvalidDataException"/> is sealed), so code that already catches
/// I/O failures while reading a data set also catches corrupt files, much as PIL raises <c>OSError</c> subclasses.
/// </remarks>
public sealed class ImageDecodeException : IOException
{
    /// <summary>The name used for data that did not come from a named file.</summary>
    public const string MemorySourceName = "<memory>";

    /// <summary>Creates the exception for a problem found in <paramref name="source"/>.</summary>
    /// <param name="source">The file path or other name of the data; <see langword="null"/> means <see cref="MemorySourceName"/>.</param>
    /// <param name="message">What is wrong, without the source name.</param>
    public ImageDecodeException(string? source, string message)
        : this(source, message, null)
    {
    }

    /// <summary>Creates the exception for a problem found in <paramref name="source"/>, caused by <paramref name="innerException"/>.</summary>
    /// <param name="source">The file path or other name of the data; <see langword="null"/> means <see cref="MemorySourceName"/>.</param>
    /// <param name="message">What is wrong, without the source name.</param>
    /// <param name="innerException">The lower-level error, such as a zlib failure, or <see langword="null"/>.</param>
    public ImageDecodeException(string? source, string message, Exception? innerException)
        : base($"{source ?? MemorySourceName}: {message}", innerException)
    {
        SourceName = source ?? MemorySourceName;
        Problem = message;
    }

    /// <summary>The file path or other name of the data, or <see cref="MemorySourceName"/>.</summary>
    public string SourceName { get; }

    /// <summary>The problem alone, without the source name.</summary>
    public string Problem { get; }
}
