using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace SharpGrad.IO;

/// <summary>
/// A parsed and validated safetensors header: the tensors' entries, ordered by where their data lies, and the optional
/// string-to-string metadata. <see cref="Parse"/> checks everything the header alone can show; the caller checks the
/// file's length against <see cref="DataLength"/>.
/// </summary>
internal sealed class SafeTensorsHeader
{
    /// <summary>The largest header length accepted, as in the official library (100 MB).</summary>
    public const long MaxLength = 100_000_000;

    /// <summary>The largest data offset accepted: far beyond any real file, small enough that sums cannot overflow.</summary>
    private const long MaxOffset = 1L << 60;

    private const string MetadataKey = "__metadata__";

    private SafeTensorsHeader(List<SafeTensorsEntry> entries, Dictionary<string, string>? metadata)
    {
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>The tensors, ordered by their data offsets (the order of their data in the file).</summary>
    public IReadOnlyList<SafeTensorsEntry> Entries { get; }

    /// <summary>The <c>__metadata__</c> map, or null when the header has none.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; }

    /// <summary>The number of data bytes after the header that the tensors cover.</summary>
    public long DataLength => Entries.Count == 0 ? 0 : Entries[^1].End;

    /// <summary>
    /// Parses and validates the header's bytes (the N bytes after the length prefix); <paramref name="source"/> names
    /// the file in errors.
    /// </summary>
    /// <exception cref="InvalidDataException">The header is malformed; the message names the file and the problem.</exception>
    public static SafeTensorsHeader Parse(ReadOnlySpan<byte> json, string source)
    {
        if (json.IsEmpty) throw Bad(source, "the header is empty (length 0); it must hold a JSON object");
        if (json[0] != (byte)'{')
            throw Bad(source, $"the header starts with byte 0x{json[0]:x2}, not '{{': not a safetensors file, or a corrupt one");
        int invalid = FirstInvalidUtf8(json);
        if (invalid >= 0) throw Bad(source, $"the header is not valid UTF-8 (at byte {invalid} of the header)");

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        var entries = new List<SafeTensorsEntry>();
        Dictionary<string, string>? metadata = null;
        try
        {
            reader.Read();
            var names = new HashSet<string>(StringComparer.Ordinal);
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                if (!names.Add(name))
                    throw Bad(source, name == MetadataKey
                        ? $"\"{MetadataKey}\" appears twice in the header"
                        : $"tensor {Q(name)} appears twice in the header (names must be unique)");
                Next(ref reader);
                if (name == MetadataKey) metadata = ReadMetadata(ref reader, source);
                else entries.Add(ReadEntry(ref reader, name, source));
            }
            // Anything after the object other than whitespace (the padding) makes the reader throw.
            if (reader.Read()) throw Bad(source, "the header holds more than one JSON value");
        }
        catch (JsonException e)
        {
            throw Bad(source, $"the header is not valid JSON: {e.Message.TrimEnd('.')}", e);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader.GetString on an escape that makes no valid UTF-16 (a lone surrogate).
            throw Bad(source, $"the header is not valid JSON: {e.Message.TrimEnd('.')}", e);
        }

        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin)
            : a.End != b.End ? a.End.CompareTo(b.End)
            : string.CompareOrdinal(a.Name, b.Name));
        CheckCoverage(entries, source);
        return new SafeTensorsHeader(entries, metadata);
    }

    /// <summary>The data must be covered by the tensors from offset 0 on, without gaps or overlaps.</summary>
    private static void CheckCoverage(List<SafeTensorsEntry> entries, string source)
    {
        long cursor = 0;
        SafeTensorsEntry? owner = null; // the last tensor with data, which ends at the cursor
        foreach (SafeTensorsEntry e in entries)
        {
            if (e.Begin < cursor)
                throw Bad(source, $"the data of tensor {Q(e.Name)} (data_offsets [{e.Begin}, {e.End}]) overlaps that of tensor {Q(owner!.Name)} ([{owner.Begin}, {owner.End}])");
            if (e.Begin > cursor)
            {
                string where = owner is null ? "before the first tensor" : $"between tensor {Q(owner.Name)} and tensor {Q(e.Name)}";
                throw Bad(source, $"data bytes [{cursor}, {e.Begin}) {where} belong to no tensor; the format requires the data to be covered without gaps");
            }
            if (e.Length > 0) owner = e;
            cursor = e.End;
        }
    }

    private static SafeTensorsEntry ReadEntry(ref Utf8JsonReader reader, string name, string source)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Bad(source, $"tensor {Q(name)}: expected an object with \"dtype\", \"shape\" and \"data_offsets\", found {Describe(ref reader)}");
        string? dtype = null;
        long[]? shape = null, offsets = null;
        var fields = new HashSet<string>(StringComparer.Ordinal);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            string field = reader.GetString()!;
            if (!fields.Add(field)) throw Bad(source, $"tensor {Q(name)}: \"{field}\" appears twice");
            Next(ref reader);
            switch (field)
            {
                case "dtype":
                    if (reader.TokenType != JsonTokenType.String)
                        throw Bad(source, $"tensor {Q(name)}: \"dtype\" must be a string such as \"F32\", found {Describe(ref reader)}");
                    dtype = reader.GetString()!;
                    break;
                case "shape":
                    shape = ReadNumbers(ref reader, name, "shape", source);
                    break;
                case "data_offsets":
                    offsets = ReadNumbers(ref reader, name, "data_offsets", source);
                    if (offsets.Length != 2)
                        throw Bad(source, $"tensor {Q(name)}: \"data_offsets\" must be [begin, end], found {offsets.Length} numbers");
                    break;
                default:
                    reader.Skip(); // the official reader ignores fields the format does not define; so does this one
                    break;
            }
        }
        if (dtype is null) throw Bad(source, $"tensor {Q(name)} has no \"dtype\"");
        if (shape is null) throw Bad(source, $"tensor {Q(name)} has no \"shape\"");
        if (offsets is null) throw Bad(source, $"tensor {Q(name)} has no \"data_offsets\"");

        if (!SafeTensorsDTypes.TryGetBits(dtype, out int bits))
            throw Bad(source, $"tensor {Q(name)} has dtype {Q(dtype)}, which the safetensors format does not define (SharpGrad reads {SafeTensorsDTypes.Supported})");
        var entry = new SafeTensorsEntry(name, dtype, shape, offsets[0], offsets[1]);
        if (entry.Begin > MaxOffset || entry.End > MaxOffset)
            throw Bad(source, $"tensor {Q(name)}: data_offsets [{entry.Begin}, {entry.End}] are out of range");
        if (entry.End < entry.Begin)
            throw Bad(source, $"tensor {Q(name)}: data_offsets [{entry.Begin}, {entry.End}] end before they begin");

        // Elements × bits, in 128-bit arithmetic so no shape can overflow it unnoticed.
        UInt128 count = 1;
        bool overflow = false;
        foreach (long d in shape)
        {
            count *= (ulong)d;
            if (count > MaxOffset) { overflow = true; count = MaxOffset + 1; }
        }
        if (shape.Contains(0)) { count = 0; overflow = false; }
        if (overflow) throw Bad(source, $"tensor {Q(name)}: shape {entry.ShapeText} has more elements than any file can hold");
        UInt128 totalBits = count * (uint)bits;
        if (totalBits % 8 != 0)
            throw Bad(source, $"tensor {Q(name)}: {count} elements of {dtype} ({bits} bits each) do not fill whole bytes");
        long needed = (long)(totalBits / 8);
        if (needed != entry.Length)
            throw Bad(source, $"tensor {Q(name)}: dtype {dtype} and shape {entry.ShapeText} need {needed} bytes, but data_offsets [{entry.Begin}, {entry.End}] span {entry.Length}");
        return entry;
    }

    private static long[] ReadNumbers(ref Utf8JsonReader reader, string name, string field, string source)
    {
        string what = $"tensor {Q(name)}: \"{field}\" must be an array of non-negative integers";
        if (reader.TokenType != JsonTokenType.StartArray) throw Bad(source, $"{what}, found {Describe(ref reader)}");
        var values = new List<long>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out ulong v))
                throw Bad(source, $"{what}, found {Describe(ref reader)}");
            if (v > MaxOffset) throw Bad(source, $"{what} below 2^60, found {v}");
            values.Add((long)v);
        }
        return values.ToArray();
    }

    private static Dictionary<string, string>? ReadMetadata(ref Utf8JsonReader reader, string source)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Bad(source, $"\"{MetadataKey}\" must be an object of string values, found {Describe(ref reader)}");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            if (metadata.ContainsKey(key)) throw Bad(source, $"\"{MetadataKey}\" has the key {Q(key)} twice");
            Next(ref reader);
            if (reader.TokenType != JsonTokenType.String)
                throw Bad(source, $"\"{MetadataKey}\" maps {Q(key)} to {Describe(ref reader)}; the format allows only string values");
            metadata[key] = reader.GetString()!;
        }
        return metadata;
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        // The whole header is in the buffer, so running out of tokens means the JSON is incomplete.
        if (!reader.Read()) throw new JsonException("the header ends in the middle of a JSON value");
        return reader.TokenType;
    }

    /// <summary>The current token, for messages: <c>a number (-1)</c>, <c>an object</c>, ….</summary>
    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Number => $"the number {Encoding.UTF8.GetString(reader.ValueSpan)}",
        JsonTokenType.String => $"the string {Q(reader.GetString()!)}",
        JsonTokenType.True or JsonTokenType.False => $"{(reader.TokenType == JsonTokenType.True ? "true" : "false")}",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => reader.TokenType.ToString(),
    };

    /// <summary>The index of the first byte that is not valid UTF-8, or -1.</summary>
    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes)) return -1;
        char[] buffer = ArrayPool<char>.Shared.Rent(4096);
        try
        {
            int position = 0;
            while (true)
            {
                OperationStatus status = Utf8.ToUtf16(bytes[position..], buffer, out int read, out _, replaceInvalidSequences: false);
                if (status != OperationStatus.DestinationTooSmall) return position + read;
                position += read;
            }
        }
        finally { ArrayPool<char>.Shared.Return(buffer); }
    }

    private static string Q(string s) => SafeTensorsJson.Quote(s);

    private static InvalidDataException Bad(string source, string problem, Exception? inner = null) => new($"{source}: {problem}.", inner);
}
