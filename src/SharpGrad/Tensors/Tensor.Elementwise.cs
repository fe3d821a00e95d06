using SharpGrad.Kernels;

namespace SharpGrad;

public sealed partial class Tensor
{
    /// <summary>The float operand as a tensor: itself when float, else converted (PyTorch promotes ints and bools to float in float arithmetic).</summary>
    private static Tensor AsFloatOperand(Tensor t, string op) =>
        t.DType == DType.Float32 ? t : t.To(DType.Float32);

    private static void RequireFloat(Tensor a, Tensor b, string op)
    {
        if (a.DType != DType.Float32 && b.DType != DType.Float32)
            throw new NotSupportedException($"{op}: arithmetic needs at least one float tensor, got {a.DType.TorchName()} and {b.DType.TorchName()}. Convert with Float() first.");
    }

    /// <summary>
    /// Strides of <paramref name="t"/> broadcast to <paramref name="shape"/>, copying it first if the stride of its innermost
    /// dim longer than 1 is not 0 or 1 (the strided kernel drops size-1 dims, so a view like <c>x[.., 1..3, NewAxis]</c>,
    /// whose last dim has size 1, is judged by the dim before it).
    /// </summary>
    private static (Tensor Source, int[] Strides) Operand(Tensor t, int[] shape)
    {
        int[] s = ShapeMath.BroadcastStrides(t.Sizes, t.Strides, shape);
        int inner = shape.Length - 1;
        while (inner > 0 && shape[inner] == 1) inner--;
        if (s.Length > 0 && s[inner] > 1 && shape[inner] > 1)
        {
            t = t.Detach().CloneUnrecorded();
            s = ShapeMath.BroadcastStrides(t.Sizes, t.Strides, shape);
        }
        return (t, s);
    }

    /// <summary>op(a, b) with broadcasting, forward only.</summary>
    internal static Tensor BinaryForward(BinaryOp op, Tensor a, Tensor b, string name)
    {
        if (BackendOf(ref a, ref b, name) is { } backend) return DeviceBinary(backend, op, a, b, name);
        RequireFloat(a, b, name);
        a = AsFloatOperand(a, name);
        b = AsFloatOperand(b, name);
        if (BothChannelsLast(a, b))
        {
            // inference on two channels-last activations (a residual sum): elementwise over the memory as it lies
            Tensor rc = UninitializedChannelsLast(a.Sizes[0], a.Sizes[1], a.Sizes[2], a.Sizes[3]);
            Elementwise.Binary(op, rc.ChannelsLastFloats, a.ChannelsLastFloats, b.ChannelsLastFloats);
            return rc;
        }
        Tensor r = Uninitialized(ShapeMath.Broadcast(a.Sizes, b.Sizes, name));
        if (r.Numel == 0) return r;
        BinaryInto(op, a, b, r);
        CapturedGraph.Record(r, (op, a, b, r), static s => BinaryInto(s.op, s.a, s.b, s.r));
        return r;
    }

    /// <summary>
    /// Whether a and b are float tensors of one shape, both channels-last and not also contiguous, in an op that records
    /// no graph: the result can then be computed, and kept, channels-last.
    /// </summary>
    private static bool BothChannelsLast(Tensor a, Tensor b) =>
        a.IsChannelsLast && b.IsChannelsLast && !a.IsContiguous && a.DType == DType.Float32 && b.DType == DType.Float32 &&
        a.Sizes.AsSpan().SequenceEqual(b.Sizes) && !BuildsGraph(a, b) && !OpTrace.IsActive && !CapturedGraph.IsCapturing;

    /// <summary>r = op(a, b) for float tensors, <paramref name="r"/> contiguous and of the broadcast shape.</summary>
    private static void BinaryInto(BinaryOp op, Tensor a, Tensor b, Tensor r)
    {
        int[] shape = r.Sizes;
        if (a.IsContiguous && b.IsContiguous && a.Numel == r.Numel && b.Numel == r.Numel)
        {
            Elementwise.Binary(op, r.Floats, a.Floats, b.Floats);
            return;
        }
        if (b.Numel == 1 && a.IsContiguous && a.Numel == r.Numel)
        {
            Elementwise.Binary(op, r.Floats, a.Floats, b.StorageSpan<float>()[b.Offset]);
            return;
        }
        if (a.Numel == 1 && b.IsContiguous && b.Numel == r.Numel)
        {
            Elementwise.Binary(op, r.Floats, a.StorageSpan<float>()[a.Offset], b.Floats);
            return;
        }
        if (a.IsContiguous && b.IsContiguous && a.Numel == r.Numel && IsTrailing(b.Sizes, shape))
        {
            // A row vector against every row, e.g. a bias [n] added to [batch, n].
            Span<float> dst = r.Floats, x = a.Floats, y = b.Floats;
            int n = y.Length;
            for (int row = 0; row < dst.Length; row += n) Elementwise.Binary(op, dst.Slice(row, n), x.Slice(row, n), y);
            return;
        }
        using (CapturedGraph.Pause())
        {
            // Operands that need a copy first: the copy is part of this launch, so a replay makes it again.
            var (sa, stA) = Operand(a, shape);
            var (sb, stB) = Operand(b, shape);
            Elementwise.BinaryStrided(op, r.Floats, shape, sa.StorageSpan<float>(), stA, sa.Offset, sb.StorageSpan<float>(), stB, sb.Offset);
        }
    }

    /// <summary>Whether <paramref name="sizes"/> (ignoring leading 1s) equals the trailing dims of <paramref name="shape"/>, and has more than one element.</summary>
    private static bool IsTrailing(int[] sizes, int[] shape)
    {
        int start = 0;
        while (start < sizes.Length && sizes[start] == 1) start++;
        int len = sizes.Length - start;
        if (len == 0 || len > shape.Length) return false;
        for (int i = 0; i < len; i++) if (sizes[start + i] != shape[shape.Length - len + i]) return false;
        return ShapeMath.Numel(sizes) > 1;
    }

    /// <summary>op(this) forward only, on a float tensor.</summary>
    private Tensor UnaryForward(UnaryOp op, string name)
    {
        if (DType != DType.Float32) throw new NotSupportedException($"{name} needs a float tensor, got {DType.TorchName()}. Convert with Float() first.");
        if (IsOnDevice) return DeviceUnary(op);
        Tensor src = Contiguous();
        Tensor r = Uninitialized(Sizes);
        Elementwise.Unary(op, r.Floats, src.Floats);
        CapturedGraph.Record(r, (op, src, r), static s => Elementwise.Unary(s.op, s.r.Floats, s.src.Floats));
        return r;
    }

    private static Tensor?[] Grads(Tensor a, Tensor b, Func<Tensor> ga, Func<Tensor> gb) =>
        [a.RequiresGradient ? ga().SumToShape(a.Sizes) : null, b.RequiresGradient ? gb().SumToShape(b.Sizes) : null];

    /// <summary>Elementwise sum with broadcasting.</summary>
    public Tensor Add(Tensor other)
    {
        Tensor a = this, b = other;
        return Record(BinaryForward(BinaryOp.Add, a, b, "Add"), OpKind.Add, [a, b], g => Grads(a, b, () => g, () => g));
    }

    /// <summary>Elementwise difference with broadcasting.</summary>
    public Tensor Sub(Tensor other)
    {
        Tensor a = this, b = other;
        return Record(BinaryForward(BinaryOp.Sub, a, b, "Sub"), OpKind.Sub, [a, b], g => Grads(a, b, () => g, () => g.Neg()));
    }

    /// <summary>Elementwise product with broadcasting.</summary>
    public Tensor Mul(Tensor other)
    {
        Tensor a = this, b = other;
        return Record(BinaryForward(BinaryOp.Mul, a, b, "Mul"), OpKind.Mul, [a, b], g => Grads(a, b, () => g.Mul(b), () => g.Mul(a)));
    }

    /// <summary>Elementwise quotient with broadcasting.</summary>
    public Tensor Div(Tensor other)
    {
        Tensor a = this, b = other;
        Tensor r = BinaryForward(BinaryOp.Div, a, b, "Div");
        return Record(r, OpKind.Div, [a, b], g => Grads(a, b, () => g.Div(b), () => g.Mul(r).Div(b).Neg()));
    }

    /// <summary>Elementwise power with broadcasting: this^<paramref name="exponent"/>.</summary>
    public Tensor Pow(Tensor exponent)
    {
        Tensor a = this, b = exponent;
        Tensor r = BinaryForward(BinaryOp.Pow, a, b, "Pow");
        return Record(r, OpKind.Pow, [a, b], g => Grads(a, b,
            () => g.Mul(b).Mul(a.Pow(b.Sub(1f))),
            () => g.Mul(r).Mul(a.Log())));
    }

    /// <summary>Elementwise power with a scalar exponent.</summary>
    public Tensor Pow(float exponent)
    {
        if (DType != DType.Float32) throw new NotSupportedException($"Pow needs a float tensor, got {DType.TorchName()}.");
        Tensor a = this, r;
        if (IsOnDevice) r = exponent == 2f ? Detach().DeviceUnary(UnaryOp.Square) : BinaryForward(BinaryOp.Pow, Detach(), Scalar(exponent), "Pow");
        else
        {
            Tensor src = Contiguous();
            r = Uninitialized(Sizes);
            Elementwise.PowScalar(r.Floats, src.Floats, exponent);
            CapturedGraph.Record(r, (src, r, exponent), static s => Elementwise.PowScalar(s.r.Floats, s.src.Floats, s.exponent));
        }
        return Record(r, OpKind.PowScalar, a, g => exponent == 2f ? g.Mul(a).Mul(2f) : g.Mul(a.Pow(exponent - 1f)).Mul(exponent),
            OpTrace.IsActive ? new OpAttributes.Scalar(exponent) : null);
    }

    /// <summary>Elementwise maximum of two tensors with broadcasting (PyTorch's <c>torch.maximum</c>); ties split the gradient evenly.</summary>
    public Tensor Maximum(Tensor other) => MinMax(other, BinaryOp.Max, OpKind.Maximum);

    /// <summary>Elementwise minimum of two tensors with broadcasting (PyTorch's <c>torch.minimum</c>).</summary>
    public Tensor Minimum(Tensor other) => MinMax(other, BinaryOp.Min, OpKind.Minimum);

    /// <summary>Same as <see cref="Maximum"/> (PyTorch's <c>x.max(other)</c>, as in <c>x.max(tensor(0.))</c>).</summary>
    public Tensor Max(Tensor other) => Maximum(other);

    /// <summary>Same as <see cref="Minimum"/>.</summary>
    public Tensor Min(Tensor other) => Minimum(other);

    private Tensor MinMax(Tensor other, BinaryOp op, OpKind kind)
    {
        Tensor a = this, b = other;
        Tensor r = BinaryForward(op, a, b, kind.ToString());
        return Record(r, kind, [a, b], g =>
        {
            // Where a and b tie, each gets half the gradient (PyTorch's rule).
            Tensor wa = op == BinaryOp.Max ? a.Gt(b).Float() : a.Lt(b).Float();
            Tensor half = a.Eq(b).Float().Mul(0.5f);
            wa = wa.Add(half);
            return Grads(a, b, () => g.Mul(wa), () => g.Mul(wa.RSub(1f)));
        });
    }

    /// <summary>scalar - this.</summary>
    public Tensor RSub(float scalar) => Scalar(scalar).Sub(this);

    private Tensor Unary(UnaryOp op, OpKind kind, Func<Tensor, Tensor, Tensor> backward)
    {
        Tensor x = this;
        if (IsChannelsLast && !IsContiguous && DType == DType.Float32 && !IsOnDevice && !BuildsGraph(this) && !OpTrace.IsActive && !CapturedGraph.IsCapturing)
        {
            // inference on a channels-last activation: elementwise over the memory as it lies, the result channels-last
            Tensor rc = UninitializedChannelsLast(Sizes[0], Sizes[1], Sizes[2], Sizes[3]);
            Elementwise.Unary(op, rc.ChannelsLastFloats, ChannelsLastFloats);
            return rc;
        }
        Tensor r = UnaryForward(op, kind.ToString());
        return Record(r, kind, x, g => backward(g, r));
    }

    /// <summary>-x.</summary>
    public Tensor Neg() => Unary(UnaryOp.Neg, OpKind.Neg, (g, _) => g.Neg());
    /// <summary>e^x.</summary>
    public Tensor Exp() => Unary(UnaryOp.Exp, OpKind.Exp, (g, r) => g.Mul(r));
    /// <summary>Natural logarithm.</summary>
    public Tensor Log() { Tensor x = this; return Unary(UnaryOp.Log, OpKind.Log, (g, _) => g.Div(x)); }
    /// <summary>Square root.</summary>
    public Tensor Sqrt() => Unary(UnaryOp.Sqrt, OpKind.Sqrt, (g, r) => g.Div(r.Mul(2f)));
    /// <summary>Absolute value.</summary>
    public Tensor Abs() { Tensor x = this; return Unary(UnaryOp.Abs, OpKind.Abs, (g, _) => g.Mul(x.Sign())); }
    /// <summary>1 / (1 + e^-x).</summary>
    public Tensor Sigmoid() => Unary(UnaryOp.Sigmoid, OpKind.Sigmoid, (g, r) => g.Mul(r).Mul(r.RSub(1f)));
    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() => Unary(UnaryOp.Tanh, OpKind.Tanh, (g, r) => g.Mul(r.Mul(r).RSub(1f)));
    /// <summary>max(x, 0).</summary>
    public Tensor Relu() => Unary(UnaryOp.Relu, OpKind.Relu, (g, r) =>
    {
        // r > 0 exactly where x > 0: the gradient passes there, in one fused pass.
        if (r.IsOnDevice) return DeviceReluBackward(g, r);
        Tensor gc = g.Contiguous(), d = Uninitialized(r.Sizes);
        Kernels.Compare.WherePositive(d.Floats, r.Floats, gc.Floats);
        CapturedGraph.Record(d, (d, r, gc), static s => Kernels.Compare.WherePositive(s.d.Floats, s.r.Floats, s.gc.Floats));
        return d;
    });
    /// <summary>x².</summary>
    public Tensor Square() { Tensor x = this; return Unary(UnaryOp.Square, OpKind.Square, (g, _) => g.Mul(x).Mul(2f)); }
    /// <summary>1 / x.</summary>
    public Tensor Reciprocal() => Unary(UnaryOp.Reciprocal, OpKind.Reciprocal, (g, r) => g.Mul(r).Mul(r).Neg());
    /// <summary>-1, 0 or 1 by sign (gradient zero).</summary>
    public Tensor Sign()
    {
        Tensor r = UnaryForward(UnaryOp.Sign, "Sign");
        OpTrace.Report(OpKind.Sign, r, [this]);
        return r;
    }

    /// <summary>Limits every element to [<paramref name="min"/>, <paramref name="max"/>]; either bound may be omitted.</summary>
    public Tensor Clamp(float? min = null, float? max = null)
    {
        if (DType != DType.Float32) throw new NotSupportedException($"Clamp needs a float tensor, got {DType.TorchName()}.");
        if (min is null && max is null) throw new ArgumentException("Clamp: at least one of min and max must be given.");
        Tensor x = this, src = Contiguous();
        Tensor r = Uninitialized(Sizes);
        Elementwise.Clamp(r.Floats, src.Floats, min, max);
        CapturedGraph.Record(r, (src, r, min, max), static s => Elementwise.Clamp(s.r.Floats, s.src.Floats, s.min, s.max));
        return Record(r, OpKind.Clamp, x, g =>
        {
            Tensor pass = Ones(x.Sizes);
            if (min is float lo) pass = pass.Mul(x.Ge(lo).Float());
            if (max is float hi) pass = pass.Mul(x.Le(hi).Float());
            return g.Mul(pass);
        }, OpTrace.IsActive ? new OpAttributes.Clamp(min, max) : null);
    }

    /// <summary>Sum.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    /// <summary>Sum with a scalar.</summary>
    public static Tensor operator +(Tensor a, float b) => a.Add(Scalar(b));
    /// <summary>Sum with a scalar.</summary>
    public static Tensor operator +(float a, Tensor b) => b.Add(Scalar(a));
    /// <summary>Difference.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    /// <summary>Difference with a scalar.</summary>
    public static Tensor operator -(Tensor a, float b) => a.Sub(Scalar(b));
    /// <summary>Scalar minus tensor.</summary>
    public static Tensor operator -(float a, Tensor b) => b.RSub(a);
    /// <summary>Product.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    /// <summary>Product with a scalar.</summary>
    public static Tensor operator *(Tensor a, float b) => a.Mul(Scalar(b));
    /// <summary>Product with a scalar.</summary>
    public static Tensor operator *(float a, Tensor b) => b.Mul(Scalar(a));
    /// <summary>Quotient.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    /// <summary>Quotient by a scalar.</summary>
    public static Tensor operator /(Tensor a, float b) => a.Div(Scalar(b));
    /// <summary>Scalar divided by tensor.</summary>
    public static Tensor operator /(float a, Tensor b) => Scalar(a).Div(b);
    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();
}
