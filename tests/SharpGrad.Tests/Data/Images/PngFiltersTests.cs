using SharpGrad.Data.Images;
namespace SharpGrad.Tests.Data.Images;

/// <summary>Unfiltering inverts filtering for every filter, bpp, row length (past the SIMD widths), first row or not, in place or not.</summary>
public class PngFiltersTests
{
    [Fact]
    public void Unfilter_inverts_Filter()
    {
        var rng = new Random(11);
        foreach (int bpp in new[] { 1, 2, 3, 4, 6, 8 })
            for (int n = 0; n <= 80; n++)
                for (int filter = 0; filter <= 4; filter++)
                    foreach (bool first in new[] { true, false })
                    {
                        var row = new byte[n];
                        var prev = new byte[n];
                        rng.NextBytes(row);
                        rng.NextBytes(prev);
                        ReadOnlySpan<byte> above = first ? default : prev;
                        var filtered = new byte[n];
                        PngFilters.Filter(filter, row, above, filtered, bpp);

                        var copy = new byte[n];
                        PngFilters.Unfilter(filter, filtered, copy, above, bpp);
                        Assert.True(row.AsSpan().SequenceEqual(copy), $"filter {filter} bpp {bpp} n {n} first {first}");

                        PngFilters.Unfilter(filter, filtered, filtered, above, bpp); // in place
                        Assert.True(row.AsSpan().SequenceEqual(filtered), $"in place: filter {filter} bpp {bpp} n {n} first {first}");
                    }
    }

    [Theory]
    [InlineData(10, 20, 10, 20)] // p = 20: b is exact
    [InlineData(20, 10, 10, 20)] // p = 20: a is exact
    [InlineData(10, 10, 10, 10)] // tie: a wins
    [InlineData(0, 255, 255, 0)]
    [InlineData(100, 50, 200, 50)] // p = -50: pa = 150, pb = 100, pc = 250
    [InlineData(3, 7, 5, 5)]       // p = 5: pa = 2, pb = 2, pc = 0
    public void Paeth_predictor_follows_the_spec(int a, int b, int c, int expected)
    {
        Assert.Equal(expected, PngFilters.Predict(a, b, c));
        Assert.Equal(expected, PngFilters.PredictBranchless(a, b, c));
    }

    [Fact]
    public void Branchless_Paeth_equals_the_spec_version_for_every_input()
    {
        for (int a = 0; a < 256; a++)
            for (int b = 0; b < 256; b++)
                for (int c = 0; c < 256; c++)
                    if (PngFilters.Predict(a, b, c) != PngFilters.PredictBranchless(a, b, c))
                        Assert.Fail($"a={a} b={b} c={c}: spec {PngFilters.Predict(a, b, c)}, branchless {PngFilters.PredictBranchless(a, b, c)}");
    }
}
