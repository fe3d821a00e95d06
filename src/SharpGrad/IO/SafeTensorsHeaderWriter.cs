using System.Globalization;
using System.Text;

namespace SharpGrad.IO;

/// <summary>
/// Writes a safetensors header byte for byte as the official library does: compact JSON (no whitespace) with
/// <c>__metadata__</c> first when there is metadata, then one <c>{"dtype","shape","data_offsets"}</c> object per tensor
/// in data order, padded with spaces to a multiple of 8 bytes so the data that follows starts 8-byte aligned.
/// </summary>
internal static class SafeTensorsHeaderWriter
{
    /// <summary>The header's bytes, padded; <paramref name="metadata"/> is written in the order given.</summary>
    public static byte[] Build(IReadOnlyList<SafeTensorsEntry> entries, IReadOnlyList<KeyValuePair<string, string>>? metadata)
    {
        var sb = new StringBuilder(64 + 96 * entries.Count);
        sb.Append('{');
        bool first = true;
        if (metadata is not null)
        {
            sb.Append("\"__metadata__\":{");
            for (int i = 0; i < metadata.Count; i++)
            {
                if (i > 0) sb.Append(',');
                SafeTensorsJson.AppendString(sb, metadata[i].Key).Append(':');
                SafeTensorsJson.AppendString(sb, metadata[i].Value);
            }
            sb.Append('}');
            first = false;
        }
        foreach (SafeTensorsEntry e in entries)
        {
            if (!first) sb.Append(',');
            first = false;
            SafeTensorsJson.AppendString(sb, e.Name).Append(":{\"dtype\":");
            SafeTensorsJson.AppendString(sb, e.DType).Append(",\"shape\":[");
            for (int d = 0; d < e.Shape.Length; d++)
            {
                if (d > 0) sb.Append(',');
                sb.Append(e.Shape[d].ToString(CultureInfo.InvariantCulture));
            }
            sb.Append("],\"data_offsets\":[")
              .Append(e.Begin.ToString(CultureInfo.InvariantCulture)).Append(',')
              .Append(e.End.ToString(CultureInfo.InvariantCulture)).Append("]}");
        }
        sb.Append('}');

        string text = sb.ToString();
        int length = SafeTensorsJson.StrictUtf8.GetByteCount(text);
        var bytes = new byte[(length + 7) / 8 * 8];
        SafeTensorsJson.StrictUtf8.GetBytes(text, bytes);
        bytes.AsSpan(length).Fill((byte)' ');
        return bytes;
    }
}
