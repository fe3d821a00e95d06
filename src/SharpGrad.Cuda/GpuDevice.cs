using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace SharpGrad.Cuda;

/// <summary>
/// A GPU (or ILGPU's CPU simulator of one) with SharpGrad's kernels loaded on it. <see cref="Cuda"/> opens an NVIDIA GPU
/// through the driver alone (no CUDA toolkit); <see cref="Simulator"/> runs the same kernels on the CPU, one thread per
/// GPU thread, so they are tested on machines without a GPU. Dispose it to release the device.
/// </summary>
public sealed class GpuDevice : IDisposable
{
    private readonly Context _context;
    private GpuKernels? _kernels;

    private GpuDevice(Context context, Accelerator accelerator, bool simulator)
    {
        _context = context;
        Accelerator = accelerator;
        IsSimulator = simulator;
    }

    internal Accelerator Accelerator { get; }

    /// <summary>Whether this is ILGPU's CPU simulator rather than a GPU.</summary>
    public bool IsSimulator { get; }

    /// <summary>The device's name, e.g. "NVIDIA H100 80GB HBM3" or "CPUAccelerator".</summary>
    public string Name => Accelerator.Name;

    /// <summary>Device memory in bytes.</summary>
    public long MemoryBytes => Accelerator.MemorySize;

    /// <summary>The kernels, compiled for this device on first use.</summary>
    internal GpuKernels Kernels => _kernels ??= new GpuKernels(Accelerator);

    /// <summary>Opens CUDA device <paramref name="index"/>.</summary>
    /// <exception cref="DeviceUnavailableException">No NVIDIA driver, no such device, or it cannot be opened; the message says which.</exception>
    public static GpuDevice Cuda(int index = 0)
    {
        Context? context = null;
        try
        {
            context = Context.Create(b => b.Cuda().EnableAlgorithms());
            var devices = new List<CudaDevice>();
            foreach (CudaDevice d in context.GetCudaDevices()) devices.Add(d);
            if (devices.Count == 0)
                throw new DeviceUnavailableException(CudaAbsentReason());
            if (index < 0 || index >= devices.Count)
                throw new DeviceUnavailableException($"CUDA device {index} does not exist: this machine has {devices.Count} ({string.Join(", ", devices.Select(d => d.Name))}).");
            var device = new GpuDevice(context, devices[index].CreateAccelerator(context), simulator: false);
            context = null;
            return device;
        }
        catch (Exception e) when (e is not DeviceUnavailableException)
        {
            throw new DeviceUnavailableException($"CUDA device {index} could not be opened: {e.Message}", e);
        }
        finally
        {
            context?.Dispose();
        }
    }

    /// <summary>Opens CUDA device <paramref name="index"/>, or says why not.</summary>
    public static bool TryCuda(out GpuDevice? device, out string? reason, int index = 0)
    {
        try
        {
            device = Cuda(index);
            reason = null;
            return true;
        }
        catch (DeviceUnavailableException e)
        {
            device = null;
            reason = e.Message;
            return false;
        }
    }

    /// <summary>ILGPU's CPU accelerator: the GPU kernels run on CPU threads, for tests and development without a GPU.</summary>
    public static GpuDevice Simulator()
    {
        // Simulate an NVIDIA-like device (warps of 32, groups of up to 1024 threads), as the kernels are written for one.
        var context = Context.Create(b => b.CPU(CPUDeviceKind.Nvidia).EnableAlgorithms());
        return new GpuDevice(context, context.CreateCPUAccelerator(0), simulator: true);
    }

    private static string CudaAbsentReason()
    {
        // ILGPU finds devices through the driver's libcuda; without it the device list is simply empty.
        bool driver = File.Exists("/usr/lib/x86_64-linux-gnu/libcuda.so.1") || File.Exists("/usr/lib64/libcuda.so.1") ||
                      File.Exists("/usr/lib/wsl/lib/libcuda.so.1") || File.Exists(Path.Combine(Environment.SystemDirectory, "nvcuda.dll"));
        return driver
            ? "No CUDA device found: the NVIDIA driver is installed but reports no GPU (is one visible to this process, e.g. CUDA_VISIBLE_DEVICES?)."
            : "No CUDA device found: the NVIDIA driver (libcuda) is not installed on this machine.";
    }

    /// <summary>Waits for the device's queued work.</summary>
    public void Synchronize() => Accelerator.Synchronize();

    /// <summary>Copies <paramref name="values"/> to a new device buffer.</summary>
    internal DeviceArray Upload(ReadOnlySpan<float> values)
    {
        var buffer = Accelerator.Allocate1D<float>(values.Length);
        buffer.View.CopyFromCPU(values.ToArray());
        return new DeviceArray(this, buffer);
    }

    /// <summary>A new device buffer of <paramref name="length"/> floats, zeroed.</summary>
    internal DeviceArray Zeros(long length)
    {
        var buffer = Accelerator.Allocate1D<float>(length);
        buffer.MemSetToZero();
        return new DeviceArray(this, buffer);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Accelerator.Dispose();
        _context.Dispose();
    }
}

/// <summary>A GPU cannot be used: no driver, no device, or it failed to open. The message names the cause.</summary>
public sealed class DeviceUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DeviceUnavailableException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>Float memory on a <see cref="GpuDevice"/>.</summary>
internal sealed class DeviceArray(GpuDevice device, MemoryBuffer1D<float, Stride1D.Dense> buffer) : IDisposable
{
    public GpuDevice Device { get; } = device;

    public MemoryBuffer1D<float, Stride1D.Dense> Buffer { get; } = buffer;

    public ArrayView1D<float, Stride1D.Dense> View => Buffer.View;

    public long Length => Buffer.Length;

    /// <summary>Copies the values back to the host (waits for the device).</summary>
    public float[] ToArray()
    {
        Device.Synchronize();
        return Buffer.GetAsArray1D();
    }

    public void Dispose() => Buffer.Dispose();
}
