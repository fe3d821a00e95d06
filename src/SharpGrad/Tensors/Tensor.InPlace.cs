using System.Numerics.Tensors;
using SharpGrad.Autograd;

namespace SharpGrad;

public sealed partial class Tensor
{
    /// <summary>
    /// The same storage as a leaf cut from the graph (PyTorch's <c>.data</c>). Assigning copies into this tensor in place,
    /// unrecorded, so the seed's update <c>p.Data -= p.Grad * lr</c> works as written.
    /// </summary>
    public Tensor Data
    {
        get => Detach();
        set => Detach().CopyFrom(value);
    }

    private void CheckInPlace(string op)
    {
        if (GradMode.IsEnabled && RequiresGradient && IsLeaf)
            throw new InvalidOperationException(
                $"{op}: a leaf tensor that requires grad cannot be modified in place while gradients are recorded. " +
                "Wrap the update in using (Tensor.NoGrad()) { ... } or modify p.Data.");
        if (DType != DType.Float32) throw new NotSupportedException($"{op} needs a float tensor, got {DType.TorchName()}.");
    }

    /// <summary>this += alpha · other (broadcast), in place and unrecorded; returns this.</summary>
    public Tensor AddInPlace(Tensor other, float alpha = 1f)
    {
        CheckInPlace("AddInPlace");
        if (!IsOnDevice && !other.IsOnDevice && IsContiguous && other.IsContiguous && other.DType == DType.Float32 && other.Numel == Numel && other.Shape == Shape)
        {
            AddScaled(this, other, alpha);
            CapturedGraph.Record(this, (this, other, alpha), static s => AddScaled(s.Item1, s.other, s.alpha));
            return this;
        }
        using (NoGrad()) CopyFrom(Detach().Add(alpha == 1f ? other.Detach() : other.Detach().Mul(alpha)));
        return this;
    }

    /// <summary>t += alpha · other for contiguous float tensors of one shape.</summary>
    private static void AddScaled(Tensor t, Tensor other, float alpha)
    {
        if (alpha == 1f) Kernels.Elementwise.Binary(Kernels.BinaryOp.Add, t.Floats, t.Floats, other.Floats);
        else TensorPrimitives.MultiplyAdd(other.Floats, alpha, t.Floats, t.Floats);
    }

    /// <summary>this -= alpha · other, in place and unrecorded; returns this.</summary>
    public Tensor SubInPlace(Tensor other, float alpha = 1f) => AddInPlace(other, -alpha);

    /// <summary>this *= scalar, in place and unrecorded; returns this.</summary>
    public Tensor MulInPlace(float scalar)
    {
        CheckInPlace("MulInPlace");
        if (IsContiguous)
        {
            TensorPrimitives.Multiply(Floats, scalar, Floats);
            CapturedGraph.Record(this, (this, scalar), static s => TensorPrimitives.Multiply(s.Item1.Floats, s.scalar, s.Item1.Floats));
        }
        else using (NoGrad()) CopyFrom(Detach().Mul(scalar));
        return this;
    }

    /// <summary>Sets every element to <paramref name="value"/>, in place and unrecorded; returns this.</summary>
    public Tensor FillInPlace(float value)
    {
        CheckInPlace("FillInPlace");
        if (IsOnDevice)
        {
            if (!IsContiguous || Offset != 0) throw Memory.Backend.Unsupported("FillInPlace of a strided or offset view");
            if (Numel > 0) Memory.Backend.Fill(Memory, Numel, value);
            return this;
        }
        if (IsContiguous)
        {
            Kernels.Elementwise.Fill(Floats, value);
            CapturedGraph.Record(this, (this, value), static s => Kernels.Elementwise.Fill(s.Item1.Floats, s.value));
        }
        else CopyFrom(Scalar(value));
        return this;
    }

    /// <summary>Sets every element to zero (PyTorch's <c>zero_()</c>); returns this.</summary>
    public Tensor ZeroInPlace() => FillInPlace(0f);
}
