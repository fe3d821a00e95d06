using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace SharpGrad.IO;

/// <summary>
/// The checkpoint file format: one safetensors file holding the tensors, with the training state as JSON and a SHA-256
/// of tensors and state in its header. Written durably: a temporary file, flushed to disk, renamed over the old
/// checkpoint (which stays intact until then), then the folder itself flushed so the rename survives a power cut.
/// Reading verifies the checksum, so a damaged checkpoint is refused instead of resumed from.
/// </summary>
internal static class CheckpointFile
{
    public const string StateKey = "sharpgrad.checkpoint", ChecksumKey = "sharpgrad.checksum";

    /// <summary>Writes <paramref name="tensors"/> and <paramref name="state"/> to <paramref name="path"/>, durably and atomically.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, string state)
    {
        var metadata = new Dictionary<string, string> { ["format"] = "pt", [StateKey] = state, [ChecksumKey] = Checksum(tensors, state) };
        AtomicFile.Write(path, stream => SafeTensorsWriter.Write(stream, tensors, metadata));
        SyncFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>The tensors and state of the checkpoint at <paramref name="path"/>, after checking its checksum.</summary>
    /// <exception cref="InvalidDataException">Not a checkpoint, truncated, or its contents do not match the checksum; the message names the file.</exception>
    public static (Dictionary<string, Tensor> Tensors, string State) Read(string path)
    {
        IReadOnlyDictionary<string, string> meta = SafeTensors.ReadMetadata(path);
        if (!meta.TryGetValue(StateKey, out string? state) || !meta.TryGetValue(ChecksumKey, out string? sum))
            throw new InvalidDataException($"{path}: not a SharpGrad checkpoint (no '{StateKey}' entry).");
        Dictionary<string, Tensor> tensors = SafeTensors.Load(path);
        string actual = Checksum(tensors, state);
        if (actual != sum) throw new InvalidDataException($"{path}: the checkpoint is corrupt (its SHA-256 is {actual}, its header says {sum}); it was not loaded.");
        return (tensors, state);
    }

    /// <summary>SHA-256 over every tensor (name, dtype, shape, bytes; in name order) and the state text.</summary>
    internal static string Checksum(IReadOnlyDictionary<string, Tensor> tensors, string state)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string name in tensors.Keys.Order(StringComparer.Ordinal))
        {
            Tensor t = tensors[name].Detach().To(Device.Cpu).Contiguous();
            hash.AppendData(Encoding.UTF8.GetBytes($"{name}|{t.DType}|{t.Shape}|"));
            hash.AppendData(t.DType switch
            {
                DType.Float32 => MemoryMarshal.AsBytes(t.Contents<float>()),
                DType.Int64 => MemoryMarshal.AsBytes(t.Contents<long>()),
                DType.UInt8 => t.Contents<byte>(),
                DType.Bool => MemoryMarshal.AsBytes(t.Contents<bool>()),
                _ => throw new NotSupportedException($"Checkpoint: tensor '{name}' has dtype {t.DType}."),
            });
        }
        hash.AppendData(Encoding.UTF8.GetBytes(state));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>fsync of a folder (Linux), so a rename inside it is on disk; elsewhere the rename's own guarantees apply.</summary>
    private static void SyncFolder(string folder)
    {
        if (!OperatingSystem.IsLinux()) return;
        const int ReadOnly = 0, Directory = 0x10000;
        int fd;
        try { fd = Open(folder, ReadOnly | Directory); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return; }
        if (fd < 0) return;
        try { FSync(fd); }
        finally { Close(fd); }
    }

    [DllImport("libc", EntryPoint = "open", CharSet = CharSet.Ansi)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync")]
    private static extern int FSync(int fd);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
