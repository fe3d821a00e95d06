using System.Globalization;
using System.Text;

namespace SharpGrad;

/// <summary>
/// Formats tensors exactly as PyTorch prints them: one width for all elements, integer-valued floats as <c>1.</c>,
/// four decimals or scientific notation by the value range, rows wrapped at 80 columns, and <c>...</c> with three
/// edge items per dim once a tensor has more than 1000 elements.
/// </summary>
internal sealed class TensorFormatter
{
    private const int LineWidth = 80, EdgeItems = 3, Threshold = 1000, Precision = 4;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private enum Mode { Integer, IntMode, Fixed, Sci, Bool }

    private readonly Mode _mode;
    private readonly int _width = 1;

    private TensorFormatter(Tensor shown)
    {
        if (shown.DType == DType.Bool) { _mode = Mode.Bool; foreach (float v in Values(shown)) _width = Math.Max(_width, v != 0 ? 4 : 5); return; }
        if (shown.DType != DType.Float32)
        {
            _mode = Mode.Integer;
            foreach (long v in shown.Contiguous().To(DType.Int64).Contents<long>()) _width = Math.Max(_width, v.ToString(Inv).Length);
            return;
        }
        var finite = new List<float>();
        foreach (float v in Values(shown)) if (float.IsFinite(v) && v != 0) finite.Add(v);
        _mode = Mode.IntMode;
        if (finite.Count == 0) return;
        float min = float.MaxValue, max = 0;
        bool integral = true;
        foreach (float v in finite)
        {
            float a = MathF.Abs(v);
            min = Math.Min(min, a);
            max = Math.Max(max, a);
            if (v != MathF.Ceiling(v)) integral = false;
        }
        double ratio = (double)max / min;
        if (integral)
        {
            if (ratio > 1000 || max > 1e8) _mode = Mode.Sci;
        }
        else
        {
            _mode = ratio > 1000 || max > 1e8 || min < 1e-4 ? Mode.Sci : Mode.Fixed;
        }
        foreach (float v in finite) _width = Math.Max(_width, Raw(v).Length);
    }

    private static IEnumerable<float> Values(Tensor t)
    {
        Tensor f = t.Contiguous().To(DType.Float32);
        float[] data = f.Contents<float>().ToArray();
        return data;
    }

    private string Raw(float v) => _mode switch
    {
        Mode.Sci => SciFormat(v),
        Mode.Fixed => FloatSpecial(v) ?? v.ToString("F" + Precision, Inv),
        Mode.IntMode => FloatSpecial(v) ?? ((double)v).ToString("F0", Inv) + ".",
        _ => v.ToString(Inv),
    };

    private static string? FloatSpecial(float v) =>
        float.IsNaN(v) ? "nan" : float.IsPositiveInfinity(v) ? "inf" : float.IsNegativeInfinity(v) ? "-inf" : null;

    private static string SciFormat(float v)
    {
        if (FloatSpecial(v) is string s) return s;
        // Python's '{:.4e}': mantissa with 4 decimals, exponent signed with at least two digits.
        string r = ((double)v).ToString("0.0000e+00", Inv);
        if (v == 0) return "0.0000e+00";
        return r;
    }

    private string Element(Tensor t, int offset)
    {
        string s = t.DType switch
        {
            DType.Float32 => Raw(t.StorageSpan<float>()[offset]),
            DType.Int64 => t.StorageSpan<long>()[offset].ToString(Inv),
            DType.UInt8 => t.StorageSpan<byte>()[offset].ToString(Inv),
            _ => t.StorageSpan<bool>()[offset] ? "True" : "False",
        };
        return s.PadLeft(_width);
    }

    public static string Format(Tensor t)
    {
        const string prefix = "tensor(";
        var suffixes = new List<string>();
        string body;
        if (t.Numel == 0)
        {
            body = "[]";
            if (t.NDim != 1) suffixes.Add("size=(" + string.Join(", ", t.Sizes) + (t.NDim == 1 ? ",)" : ")"));
        }
        else
        {
            bool summarize = t.Numel > Threshold;
            var fmt = new TensorFormatter(summarize ? Summarized(t) : t);
            body = fmt.Body(t, t.Offset, 0, prefix.Length, summarize);
        }
        if (t.DType is DType.UInt8) suffixes.Add("dtype=" + t.DType.TorchName());
        if (t.GradFnName is string fn) suffixes.Add($"grad_fn=<{fn}>");
        else if (t.RequiresGradient) suffixes.Add("requires_grad=True");

        var sb = new StringBuilder(prefix).Append(body);
        foreach (string s in suffixes)
        {
            int lastLine = sb.Length - (sb.ToString().LastIndexOf('\n') + 1);
            if (lastLine + s.Length + 2 > LineWidth) sb.Append(",\n").Append(' ', prefix.Length).Append(s);
            else sb.Append(", ").Append(s);
        }
        return sb.Append(')').ToString();
    }

    private string Body(Tensor t, int offset, int dim, int indent, bool summarize)
    {
        int rank = t.NDim;
        if (rank == 0) return Element(t, offset).Trim();
        int size = t.Sizes[dim], stride = t.Strides[dim];
        bool cut = summarize && size > 2 * EdgeItems;
        if (dim == rank - 1)
        {
            var items = new List<string>();
            for (int i = 0; i < size; i++)
            {
                if (cut && i == EdgeItems) { items.Add(" ..."); i = size - EdgeItems; }
                items.Add(Element(t, offset + i * stride));
            }
            int perLine = Math.Max(1, (LineWidth - indent) / (_width + 2));
            var lines = new List<string>();
            for (int i = 0; i < items.Count; i += perLine) lines.Add(string.Join(", ", items.Skip(i).Take(perLine)));
            return "[" + string.Join(",\n" + new string(' ', indent + 1), lines) + "]";
        }
        var slices = new List<string>();
        for (int i = 0; i < size; i++)
        {
            if (cut && i == EdgeItems) { slices.Add("..."); i = size - EdgeItems; }
            slices.Add(Body(t, offset + i * stride, dim + 1, indent + 1, summarize));
        }
        string sep = "," + new string('\n', rank - dim - 1) + new string(' ', indent + 1);
        return "[" + string.Join(sep, slices) + "]";
    }

    /// <summary>Just the elements that a summarised print shows (the first and last three along each dim).</summary>
    private static Tensor Summarized(Tensor t)
    {
        if (t.NDim == 0) return t;
        Tensor r = t.Detach();
        for (int d = 0; d < t.NDim; d++)
        {
            int size = r.Sizes[d];
            if (size > 2 * EdgeItems)
                r = Tensor.Cat([r.Narrow(d, 0, EdgeItems), r.Narrow(d, size - EdgeItems, EdgeItems)], d);
        }
        return r;
    }
}
