using System.Text;

namespace SharpGrad.IO;

/// <summary>
/// JSON strings as the official safetensors writer (serde_json) writes them, so headers match its bytes: only
/// <c>"</c>, <c>\</c> and control characters are escaped (<c>\b \t \n \f \r</c>, the rest as lowercase <c>\u00xx</c>);
/// everything else, non-ASCII included, is written as is.
/// </summary>
internal static class SafeTensorsJson
{
    /// <summary>UTF-8 that throws on lone surrogates instead of writing replacement characters.</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Appends <paramref name="value"/> as a quoted JSON string.</summary>
    public static StringBuilder AppendString(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\t': sb.Append("\\t"); break;
                case '\n': sb.Append("\\n"); break;
                case '\f': sb.Append("\\f"); break;
                case '\r': sb.Append("\\r"); break;
                case < ' ': sb.Append("\\u00").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)); break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"');
    }

    /// <summary><paramref name="value"/> as a quoted JSON string, for error messages.</summary>
    public static string Quote(string value) => AppendString(new StringBuilder(value.Length + 2), value).ToString();

    /// <summary>Whether <paramref name="value"/> can be written as UTF-8 (it holds no lone surrogate).</summary>
    public static bool IsWellFormed(string value)
    {
        try
        {
            StrictUtf8.GetByteCount(value);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }
}
