namespace SharpGrad.Data;

/// <summary>One file of a dataset: its name in the cache, the SHA-256 of its raw (decompressed) bytes and their length.</summary>
/// <param name="Name">File name, e.g. <c>train-images-idx3-ubyte</c>.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the decompressed bytes.</param>
/// <param name="Length">Length of the decompressed bytes.</param>
public sealed record DatasetFile(string Name, string Sha256, long Length);
