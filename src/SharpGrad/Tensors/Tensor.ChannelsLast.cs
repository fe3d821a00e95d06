using SharpGrad.Kernels;

namespace SharpGrad;

public sealed partial class Tensor
{
    /// <summary>
    /// Whether this is a 4-D (N, C, H, W) tensor whose elements lie channels-last in memory, as an (N, H, W, C) row-major
    /// array (PyTorch's <c>is_contiguous(memory_format=torch.channels_last)</c>). Convolutions and batch norms that build
    /// no autograd graph (inference: under <see cref="NoGrad"/>, or on tensors that do not require grad) return such
    /// tensors where the channels-last kernels serve them; their shape and values are the usual ones, only the strides
    /// differ. Every op accepts them; <see cref="Contiguous"/> gives the (N, C, H, W) layout.
    /// </summary>
    public bool IsChannelsLast =>
        NDim == 4 && Strides[1] == 1 && Strides[3] == Sizes[1] && Strides[2] == Sizes[1] * Sizes[3] && Strides[0] == Sizes[1] * Sizes[2] * Sizes[3];

    /// <summary>A new (N, C, H, W) float tensor laid out channels-last, its elements unspecified: for ops that write every element.</summary>
    internal static Tensor UninitializedChannelsLast(int n, int c, int h, int w)
    {
        int[] sizes = [n, c, h, w];
        ShapeMath.CheckSizes(sizes);
        return new Tensor(TensorScope.Allocate(DType.Float32, ShapeMath.Numel(sizes), clear: false), sizes, [h * w * c, 1, w * c, c], 0, DType.Float32);
    }

    /// <summary>The elements of a channels-last float tensor in memory order (N, H, W, C).</summary>
    internal Span<float> ChannelsLastFloats
    {
        get
        {
            if (!IsChannelsLast) throw new InvalidOperationException("Internal error: ChannelsLastFloats on a tensor that is not channels-last.");
            CheckDType<float>();
            return StorageSpan<float>().Slice(Offset, Numel);
        }
    }

    /// <summary>This tensor laid out channels-last: itself when it already is, else a copy (differentiable, as <see cref="Clone"/>).</summary>
    internal Tensor ChannelsLast()
    {
        if (IsChannelsLast) return this;
        if (NDim != 4) throw new ArgumentException($"ChannelsLast needs a 4-D (N, C, H, W) tensor, got shape {Shape}.");
        Tensor r = UninitializedChannelsLast(Sizes[0], Sizes[1], Sizes[2], Sizes[3]);
        CopyElements(r, this);
        return Record(r, OpKind.Clone, this, g => g);
    }

    /// <summary>
    /// dst = src for float tensors on the CPU when one is channels-last and the other contiguous (N, C, H, W): image by
    /// image through the 16×16 register transposes, on every core, where the general strided copy goes an element at a
    /// time. False when the layouts are not that pair.
    /// </summary>
    private static unsafe bool TryTransposeCopy(Tensor dst, Tensor src)
    {
        if (dst.DType != DType.Float32 || dst.NDim != 4 || dst.Numel == 0 || !dst.Sizes.AsSpan().SequenceEqual(src.Sizes)) return false;
        bool toImages = src.IsChannelsLast && dst.IsContiguous, toChannelsLast = dst.IsChannelsLast && src.IsContiguous;
        if (toImages == toChannelsLast) return false; // neither pair, or a degenerate shape where both layouts coincide
        int n = dst.Sizes[0], c = dst.Sizes[1], hw = dst.Sizes[2] * dst.Sizes[3];
        long image = (long)c * hw;
        fixed (float* pd = dst.StorageSpan<float>(), ps = src.StorageSpan<float>())
        {
            float* d = pd + dst.Offset, s = ps + src.Offset;
            Parallelism.For(n, 1, 1, (j0, j1) =>
            {
                for (int j = j0; j < j1; j++)
                {
                    if (toImages) Kernels.Transpose.Run(d + j * image, hw, s + j * image, c, hw, c); // (HW, C) → (C, HW)
                    else Kernels.Transpose.Run(d + j * image, c, s + j * image, hw, c, hw); // (C, HW) → (HW, C)
                }
            });
        }
        return true;
    }
}
