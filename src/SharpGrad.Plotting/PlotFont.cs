using System.Reflection;
using ScottPlot;
using SkiaSharp;

namespace SharpGrad.Plotting;

/// <summary>
/// The one font every plot is drawn with: DejaVu Sans (matplotlib's default font), embedded in this
/// assembly. SkiaSharp's Linux "NoDependencies" native library has no fontconfig; on a machine without
/// font files under /usr/share/fonts it finds no typeface at all and ScottPlot then draws no text.
/// Using an embedded font makes text render the same on every machine, fonts installed or not.
/// </summary>
internal static class PlotFont
{
    /// <summary>The family name the embedded font is registered under (unique, so no system font is hijacked).</summary>
    internal const string Family = "SharpGrad DejaVu Sans";

    private static readonly Lazy<EmbeddedFontResolver> Resolver =
        new(Register, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lock RegistrationLock = new();

    /// <summary>
    /// Registers the embedded font with ScottPlot (once per process, and again if something cleared ScottPlot's
    /// resolvers, e.g. <c>ScottPlot.Fonts.Reset()</c>).
    /// </summary>
    internal static void EnsureRegistered()
    {
        EmbeddedFontResolver resolver = Resolver.Value;
        lock (RegistrationLock)
        {
            if (!Fonts.FontResolvers.Contains(resolver))
                Fonts.FontResolvers.Insert(0, resolver);
        }
    }

    /// <summary>A new typeface for the regular or bold face (the caller owns and disposes it).</summary>
    internal static SKTypeface CreateTypeface(bool bold) => Resolver.Value.Create(bold);

    private static EmbeddedFontResolver Register()
    {
        var resolver = new EmbeddedFontResolver(
            LoadResource("SharpGrad.Plotting.Fonts.DejaVuSans.ttf"),
            LoadResource("SharpGrad.Plotting.Fonts.DejaVuSans-Bold.ttf"));
        // Ahead of ScottPlot's system-font resolver (see EnsureRegistered), and only for our own family name.
        Fonts.Default = Family;
        return resolver;
    }

    private static SKData LoadResource(string name)
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded font resource '{name}' is missing from SharpGrad.Plotting.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return SKData.CreateCopy(copy.ToArray());
    }

    private sealed class EmbeddedFontResolver(SKData regular, SKData bold) : IFontResolver
    {
        internal SKTypeface Create(bool isBold) =>
            SKTypeface.FromData(isBold ? bold : regular)
            ?? throw new InvalidOperationException("The embedded DejaVu Sans font could not be loaded by SkiaSharp.");

        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
            IsOurs(fontName) ? Create(weight >= FontWeight.SemiBold) : null;

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            IsOurs(fontName) ? Create(bold) : null;

        private static bool IsOurs(string fontName) =>
            string.Equals(fontName, Family, StringComparison.OrdinalIgnoreCase);
    }
}
