using System.Globalization;

namespace SharpGrad.Reporting;

/// <summary>Human-readable sizes, rates and durations for progress lines.</summary>
internal static class Units
{
    /// <summary>"11.0 MB", "312 B": decimal units, as download tools print them.</summary>
    public static string Bytes(double n)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB"];
        int u = 0;
        while (Math.Abs(n) >= 1000 && u < units.Length - 1) { n /= 1000; u++; }
        return u == 0 ? $"{n:F0} {units[0]}" : string.Create(CultureInfo.InvariantCulture, $"{n:F1} {units[u]}");
    }

    /// <summary>"1.7 s", "250 ms", "2 min 05 s".</summary>
    public static string Duration(TimeSpan t) =>
        t.TotalSeconds < 1 ? $"{t.TotalMilliseconds:F0} ms" :
        t.TotalSeconds < 60 ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:F1} s") :
        $"{(int)t.TotalMinutes} min {t.Seconds:D2} s";
}
