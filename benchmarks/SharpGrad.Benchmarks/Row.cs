using System.Globalization;
using System.Text.Json;

namespace SharpGrad.Benchmarks;

/// <summary>One measurement: ours and the peer's value in <see cref="Unit"/>, and ours/peer.</summary>
internal sealed record Row(string Name, double Ours, double Peer, string Unit, string PeerName)
{
    /// <summary>ours / peer; for throughput units above 1 means faster than the peer, for times below 1 does.</summary>
    public double Ratio => Peer > 0 ? Ours / Peer : double.NaN;

    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["name"] = Name,
        ["ours"] = Json(Ours),
        ["peer"] = Json(Peer),
        ["ratio"] = Json(Ratio),
        ["unit"] = Unit,
        ["peer_name"] = PeerName,
    });

    /// <summary>A value rounded to 3 decimals, or null where there is none (JSON has no NaN): a missing peer.</summary>
    private static double? Json(double v) => double.IsFinite(v) ? Math.Round(v, 3) : null;

    public static void PrintTable(string suite, IReadOnlyList<Row> rows)
    {
        if (rows.Count == 0) return;
        int w = Math.Max(4, rows.Max(r => r.Name.Length));
        int pw = Math.Max(5, rows.Max(r => r.PeerName.Length));
        Console.WriteLine($"## {suite} (ratio = ours / peer)");
        Console.WriteLine($"{"name".PadRight(w)}  {"ours",10}  {"peer",10}  {"ratio",7}  {"unit",-10}  peer");
        foreach (Row r in rows)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Name.PadRight(w)}  {Format(r.Ours),10}  {Format(r.Peer),10}  {r.Ratio,7:F2}  {r.Unit,-10}  {r.PeerName.PadRight(pw)}"));
    }

    private static string Format(double v) =>
        double.IsNaN(v) ? "n/a" : v.ToString(Math.Abs(v) < 10 ? "F3" : "F1", CultureInfo.InvariantCulture);
}
