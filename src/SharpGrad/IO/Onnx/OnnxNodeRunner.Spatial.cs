using SharpGrad.NN;

namespace SharpGrad.IO.Onnx;

internal static partial class OnnxNodeRunner
{
    /// <summary>
    /// ONNX pads (begin H, begin W, end H, end W) for a 2-D window op, from <c>pads</c> or <c>auto_pad</c>.
    /// SharpGrad's kernels pad symmetrically; <see cref="Windowed"/> makes up the difference.
    /// </summary>
    private static (int T, int L, int B, int R) Pads(OnnxNode node, Tensor x, int kh, int kw, int sh, int sw, int dh, int dw)
    {
        string auto = node.String("auto_pad", "NOTSET");
        switch (auto)
        {
            case "NOTSET":
                long[] p = node.Ints("pads") ?? [0, 0, 0, 0];
                if (p.Length != 4 || p.Any(v => v < 0 || v > 1 << 20))
                    throw new InvalidDataException($"{node.Describe()}: pads [{string.Join(", ", p)}] are not four non-negative sizes for a 2-D window.");
                return ((int)p[0], (int)p[1], (int)p[2], (int)p[3]);
            case "VALID":
                return (0, 0, 0, 0);
            case "SAME_UPPER" or "SAME_LOWER":
                (int b, int e) Same(int size, int k, int s, int d)
                {
                    int outSize = (size + s - 1) / s;
                    int total = Math.Max(0, (outSize - 1) * s + (k - 1) * d + 1 - size);
                    return auto == "SAME_UPPER" ? (total / 2, total - total / 2) : (total - total / 2, total / 2);
                }
                var (t, bo) = Same(x.Size(2), kh, sh, dh);
                var (l, r) = Same(x.Size(3), kw, sw, dw);
                return (t, l, bo, r);
            default:
                throw new NotSupportedException($"{node.Describe()}: auto_pad '{auto}' is not supported.");
        }
    }

    /// <summary>
    /// Runs a window op that pads (top, left) symmetrically on <paramref name="x"/> with pads (t, l, b, r): extra
    /// bottom/right padding (b &gt; t) is added first with <paramref name="fill"/>, and rows or columns the symmetric padding
    /// adds beyond the wanted output (b &lt; t) are cut afterwards.
    /// </summary>
    private static Tensor Windowed(Tensor x, (int T, int L, int B, int R) pads, int kh, int kw, int sh, int sw, int dh, int dw, float fill,
        Func<Tensor, (int H, int W), Tensor> op)
    {
        int h = x.Size(2), w = x.Size(3);
        int oh = (h + pads.T + pads.B - dh * (kh - 1) - 1) / sh + 1, ow = (w + pads.L + pads.R - dw * (kw - 1) - 1) / sw + 1;
        int extraB = Math.Max(0, pads.B - pads.T), extraR = Math.Max(0, pads.R - pads.L);
        if (extraB > 0) x = Tensor.Cat([x, Tensor.Full([x.Size(0), x.Size(1), extraB, x.Size(3)], fill)], 2);
        if (extraR > 0) x = Tensor.Cat([x, Tensor.Full([x.Size(0), x.Size(1), x.Size(2), extraR], fill)], 3);
        Tensor y = op(x, (pads.T, pads.L));
        if (y.Size(2) > oh) y = y.Narrow(2, 0, oh);
        if (y.Size(3) > ow) y = y.Narrow(3, 0, ow);
        return y;
    }

    private static (int H, int W) Pair(OnnxNode node, string name, int fallback)
    {
        long[]? v = node.Ints(name);
        if (v is null) return (fallback, fallback);
        if (v.Length != 2 || v.Any(e => e < 1 || e > 1 << 20))
            throw new NotSupportedException($"{node.Describe()}: {name} [{string.Join(", ", v)}]: SharpGrad runs 2-D windows with positive sizes.");
        return ((int)v[0], (int)v[1]);
    }

    private static void Check4D(OnnxNode node, Tensor x)
    {
        if (x.NDim != 4) throw new NotSupportedException($"{node.Describe()}: SharpGrad runs 2-D {node.OpType} on (N, C, H, W) inputs, got shape {x.Shape}.");
    }

    private static Tensor Conv(OnnxNode node, Tensor x, Tensor w, Tensor? b)
    {
        Check4D(node, x);
        if (w.NDim != 4) throw new NotSupportedException($"{node.Describe()}: expected a 4-D weight, got {w.Shape}.");
        var (sh, sw) = Pair(node, "strides", 1);
        var (dh, dw) = Pair(node, "dilations", 1);
        int groups = (int)node.Int("group", 1);
        int kh = w.Size(2), kw = w.Size(3);
        var pads = Pads(node, x, kh, kw, sh, sw, dh, dw);
        return Windowed(x, pads, kh, kw, sh, sw, dh, dw, 0f, (input, p) => F.Conv2d(input, w, b, (sh, sw), p, (dh, dw), groups));
    }

    private static Tensor BatchNorm(OnnxNode node, Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor var, bool training)
    {
        if (node.Int("spatial", 1) != 1) throw new NotSupportedException($"{node.Describe()}: spatial=0 batch normalization is not supported.");
        float eps = node.Float("epsilon", 1e-5f);
        // ONNX's momentum weighs the running value (0.9 by default); PyTorch's weighs the batch's.
        float momentum = 1f - node.Float("momentum", 0.9f);
        return Tensor.BatchNorm(x, mean, var, scale, bias, training, momentum, eps);
    }

    private static Tensor Pool(OnnxNode node, Tensor x)
    {
        Check4D(node, x);
        bool max = node.OpType == "MaxPool";
        var (kh, kw) = Pair(node, "kernel_shape", 0);
        if (kh == 0) throw new InvalidDataException($"{node.Describe()}: kernel_shape is required.");
        var (sh, sw) = Pair(node, "strides", 1);
        var (dh, dw) = Pair(node, "dilations", 1);
        if (dh != 1 || dw != 1) throw new NotSupportedException($"{node.Describe()}: pooling with dilations is not supported.");
        if (node.Int("storage_order", 0) != 0) throw new NotSupportedException($"{node.Describe()}: storage_order 1 is not supported.");
        var pads = Pads(node, x, kh, kw, sh, sw, 1, 1);
        if (node.Int("ceil_mode", 0) != 0)
        {
            // Ceil mode adds a last, partial window when one would start inside the input (or its begin padding).
            int Extra(int size, int b, int e, int k, int s)
            {
                int floor = (size + b + e - k) / s + 1, ceil = (size + b + e - k + s - 1) / s + 1;
                if (ceil > floor && (ceil - 1) * s >= size + b) ceil--;
                return (ceil - floor) * s;
            }
            int eb = Extra(x.Size(2), pads.T, pads.B, kh, sh), er = Extra(x.Size(3), pads.L, pads.R, kw, sw);
            if ((eb > 0 || er > 0) && !max)
                throw new NotSupportedException($"{node.Describe()}: AveragePool with ceil_mode and a partial last window is not supported.");
            pads = (pads.T, pads.L, pads.B + eb, pads.R + er);
        }
        bool symmetric = pads.T == pads.B && pads.L == pads.R;
        if (!max && !symmetric)
            throw new NotSupportedException($"{node.Describe()}: AveragePool with unequal begin and end pads {pads} is not supported.");
        if (Math.Max(pads.T, pads.B) > kh / 2 || Math.Max(pads.L, pads.R) > kw / 2)
            throw new NotSupportedException($"{node.Describe()}: padding {pads} is more than half the kernel {kh}x{kw}.");
        bool includePad = node.Int("count_include_pad", 0) != 0;
        return Windowed(x, pads, kh, kw, sh, sw, 1, 1, float.NegativeInfinity, (input, p) => max
            ? F.MaxPool2d(input, (kh, kw), (sh, sw), p)
            : F.AvgPool2d(input, (kh, kw), (sh, sw), p, includePad));
    }

    private static Tensor Global(OnnxNode node, Tensor x, bool max)
    {
        Check4D(node, x);
        return max ? F.AdaptiveMaxPool2d(x, 1) : F.AdaptiveAvgPool2d(x, 1);
    }

    private static Tensor Gather(OnnxNode node, Tensor data, Tensor indices)
    {
        int axis = Axis(node, node.Int("axis", 0), data.NDim);
        long[] idx = Longs(indices);
        int size = data.Size(axis);
        for (int i = 0; i < idx.Length; i++)
        {
            if (idx[i] < -size || idx[i] >= size) throw new InvalidDataException($"{node.Describe()}: index {idx[i]} is out of range for dim {axis} of size {size}.");
            if (idx[i] < 0) idx[i] += size;
        }
        Tensor picked = data.IndexSelect(axis, Tensor.From(idx));
        // The indices' shape replaces the gathered dim (a 0-d index removes it).
        var shape = new List<int>(data.Shape.ToArray()[..axis]);
        shape.AddRange(indices.Shape.ToArray());
        shape.AddRange(data.Shape.ToArray()[(axis + 1)..]);
        return picked.Reshape(shape.ToArray());
    }

    private static long[] AxesOf(OnnxNode node, Tensor? input, int opset) => opset >= 13 ? input is null ? [] : Longs(input) : node.Ints("axes") ?? [];

    private static Tensor Unsqueeze(OnnxNode node, Tensor x, Tensor? axesInput)
    {
        long[] axes = node.Ints("axes") ?? (axesInput is null ? [] : Longs(axesInput));
        int rank = x.NDim + axes.Length;
        foreach (int a in axes.Select(a => Axis(node, a, rank)).Order()) x = x.Unsqueeze(a);
        return x;
    }

    private static Tensor Squeeze(OnnxNode node, Tensor x, Tensor? axesInput)
    {
        long[] axes = node.Ints("axes") ?? (axesInput is null ? [] : Longs(axesInput));
        if (axes.Length == 0) return x.Squeeze();
        foreach (int a in axes.Select(a => Axis(node, a, x.NDim)).OrderDescending())
        {
            if (x.Size(a) != 1) throw new InvalidDataException($"{node.Describe()}: cannot squeeze dim {a} of size {x.Size(a)} (shape {x.Shape}).");
            x = x.Squeeze(a);
        }
        return x;
    }

    private static Tensor Pad(OnnxNode node, Tensor x, Tensor? padsInput, Tensor? valueInput, int opset)
    {
        string mode = node.String("mode", "constant");
        if (mode != "constant") throw new NotSupportedException($"{node.Describe()}: Pad mode '{mode}' is not supported (constant is).");
        long[] pads = opset >= 11 ? padsInput is null ? [] : Longs(padsInput) : node.Ints("pads") ?? [];
        float value = opset >= 11 ? valueInput?.Item() ?? 0f : node.Float("value", 0f);
        if (pads.Length != 2 * x.NDim) throw new InvalidDataException($"{node.Describe()}: {pads.Length} pads for a value of rank {x.NDim}.");
        for (int d = 0; d < x.NDim; d++)
        {
            long before = pads[d], after = pads[d + x.NDim];
            if (before < 0) { x = x.Narrow(d, (int)-before, x.Size(d) + (int)before); before = 0; }
            if (after < 0) { x = x.Narrow(d, 0, x.Size(d) + (int)after); after = 0; }
            if (before == 0 && after == 0) continue;
            int[] shape = x.Shape.ToArray();
            var parts = new List<Tensor>(3);
            if (before > 0) { shape[d] = (int)before; parts.Add(Tensor.Full(shape, value)); }
            parts.Add(x);
            if (after > 0) { shape[d] = (int)after; parts.Add(Tensor.Full(shape, value)); }
            x = Tensor.Cat(parts, d);
        }
        return x;
    }

    private static Tensor Slice(OnnxNode node, Tensor x, Tensor? starts, Tensor? ends, Tensor? axesInput, Tensor? stepsInput, int opset)
    {
        long[] s = opset >= 10 ? Longs(starts!) : node.Ints("starts") ?? [];
        long[] e = opset >= 10 ? Longs(ends!) : node.Ints("ends") ?? [];
        long[] axes = (opset >= 10 ? axesInput is null ? null : Longs(axesInput) : node.Ints("axes")) ?? Enumerable.Range(0, s.Length).Select(i => (long)i).ToArray();
        long[] steps = stepsInput is null ? Enumerable.Repeat(1L, s.Length).ToArray() : Longs(stepsInput);
        if (e.Length != s.Length || axes.Length != s.Length || steps.Length != s.Length)
            throw new InvalidDataException($"{node.Describe()}: starts, ends, axes and steps differ in length.");
        for (int i = 0; i < s.Length; i++)
        {
            int d = Axis(node, axes[i], x.NDim), size = x.Size(d);
            if (steps[i] < 1) throw new NotSupportedException($"{node.Describe()}: Slice with step {steps[i]} is not supported (positive steps are).");
            long b = Math.Clamp(s[i] < 0 ? s[i] + size : s[i], 0, size), en = Math.Clamp(e[i] < 0 ? e[i] + size : e[i], 0, size);
            if (steps[i] == 1)
            {
                x = x.Narrow(d, (int)b, (int)Math.Max(0, en - b));
                continue;
            }
            var index = new TensorIndex[d + 1];
            for (int k = 0; k < d; k++) index[k] = TensorIndex.Slice();
            index[d] = TensorIndex.Slice((int)b, (int)Math.Max(b, en), (int)Math.Min(steps[i], int.MaxValue));
            x = x[index];
        }
        return x;
    }

    private static Tensor Expand(Tensor x, Tensor shapeTensor)
    {
        long[] shape = Longs(shapeTensor);
        int rank = Math.Max(shape.Length, x.NDim);
        var target = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int xi = i - (rank - x.NDim), si = i - (rank - shape.Length);
            int xs = xi >= 0 ? x.Size(xi) : 1;
            long ss = si >= 0 ? shape[si] : 1;
            target[i] = ss == 1 ? xs : (int)ss;
        }
        return x.Expand(target);
    }

    private static Tensor Split(OnnxNode node, Tensor x, Tensor? splitInput, Tensor?[] values)
    {
        int axis = Axis(node, node.Int("axis", 0), x.NDim);
        int parts = node.Outputs.Length;
        long[] sizes = node.Ints("split") ?? (splitInput is null ? [] : Longs(splitInput));
        if (sizes.Length == 0)
        {
            int each = (x.Size(axis) + parts - 1) / parts;
            sizes = Enumerable.Range(0, parts).Select(i => (long)Math.Max(0, Math.Min(each, x.Size(axis) - i * each))).ToArray();
        }
        if (sizes.Length != parts || sizes.Sum() != x.Size(axis))
            throw new InvalidDataException($"{node.Describe()}: split sizes [{string.Join(", ", sizes)}] do not cover dim {axis} of size {x.Size(axis)} in {parts} parts.");
        int at = 0;
        Tensor? first = null;
        for (int i = 0; i < parts; i++)
        {
            Tensor part = x.Narrow(axis, at, (int)sizes[i]);
            at += (int)sizes[i];
            if (i == 0) first = part;
            else if (node.Outputs[i] >= 0) values[node.Outputs[i]] = part;
        }
        return first!;
    }
}
