using System.Globalization;

namespace SharpGrad.NN;

/// <summary>Values written as Python's <c>repr</c> writes them, for module printouts that read like PyTorch's.</summary>
internal static class PyRepr
{
    /// <summary><c>3</c> for a size given as one int, else the tuple <c>(3, 3)</c>.</summary>
    public static string Size((int H, int W) v, bool asInt) => asInt ? Int(v.H) : $"({Int(v.H)}, {Int(v.W)})";

    /// <summary>An int in invariant digits.</summary>
    public static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Python's <c>True</c> / <c>False</c>.</summary>
    public static string Bool(bool v) => v ? "True" : "False";

    /// <summary>The shortest round-trip digits, as Python prints a float: <c>1e-05</c>, <c>0.1</c>, <c>100.0</c>.</summary>
    public static string Float(float v)
    {
        if (float.IsNaN(v)) return "nan";
        if (float.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
        string s = v.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e");
        if (s.Contains('e')) return s.Contains('.') || s.Contains("e-") || s.Contains("e+") ? s : s.Replace("e", "e+");
        return s.Contains('.') ? s : s + ".0";
    }
}
