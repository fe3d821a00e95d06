using System.Globalization;

namespace SharpGrad;

/// <summary>The kind of processor a tensor's memory lives on.</summary>
public enum DeviceKind
{
    /// <summary>Main memory, computed by SharpGrad's managed SIMD kernels.</summary>
    Cpu,

    /// <summary>An NVIDIA GPU through the SharpGrad.Cuda package (ILGPU; the driver is all it needs).</summary>
    Cuda,
}

/// <summary>
/// Where a tensor lives (PyTorch's <c>torch.device</c>): <see cref="Cpu"/>, or <see cref="Cuda"/> with a device index.
/// Move a tensor with <see cref="Tensor.To(SharpGrad.Device)"/>; an op whose operands live on different devices throws
/// naming both. Printed and parsed as PyTorch writes them: <c>cpu</c>, <c>cuda:0</c>.
/// </summary>
public readonly record struct Device
{
    private Device(DeviceKind kind, int index) => (Kind, Index) = (kind, index);

    /// <summary>The processor kind.</summary>
    public DeviceKind Kind { get; }

    /// <summary>Which device of that kind (0 for the CPU).</summary>
    public int Index { get; }

    /// <summary>The CPU: the default device of every tensor.</summary>
    public static Device Cpu => default;

    /// <summary>CUDA device <paramref name="index"/> (needs the SharpGrad.Cuda package at run time).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
    public static Device Cuda(int index = 0) =>
        index >= 0 ? new(DeviceKind.Cuda, index) : throw new ArgumentOutOfRangeException(nameof(index), index, "Device.Cuda: the index must be 0 or more.");

    /// <summary>Whether this is the CPU.</summary>
    public bool IsCpu => Kind == DeviceKind.Cpu;

    /// <summary>PyTorch's spelling: <c>cpu</c> or <c>cuda:N</c>.</summary>
    public override string ToString() => IsCpu ? "cpu" : $"cuda:{Index.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Reads <c>cpu</c>, <c>cuda</c> (device 0) or <c>cuda:N</c>.</summary>
    /// <exception cref="FormatException">Anything else; the message lists the accepted forms.</exception>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return Cpu;
        if (t == "cuda") return Cuda(0);
        if (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int i))
            return Cuda(i);
        throw new FormatException($"'{text}' is not a device: use cpu, cuda or cuda:N.");
    }
}
