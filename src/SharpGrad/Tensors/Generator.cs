namespace SharpGrad;

/// <summary>
/// A seedable pseudo-random number generator (xoshiro256**, seeded through SplitMix64): the same seed gives the same
/// numbers on every machine and runtime. <see cref="Default"/> is used when no generator is passed.
/// </summary>
public sealed class Generator
{
    private ulong _s0, _s1, _s2, _s3;
    private float? _spareNormal;

    /// <summary>Creates a generator seeded with <paramref name="seed"/>.</summary>
    public Generator(ulong seed = 0) => ManualSeed(seed);

    /// <summary>The generator used by the factories when none is given; reseed it with <see cref="Tensor.ManualSeed"/>.</summary>
    public static Generator Default { get; } = new(0);

    /// <summary>The seed last set.</summary>
    public ulong InitialSeed { get; private set; }

    /// <summary>Resets the generator to the start of the sequence for <paramref name="seed"/>.</summary>
    public Generator ManualSeed(ulong seed)
    {
        InitialSeed = seed;
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
        _spareNormal = null;
        return this;
    }

    /// <summary>The full state (four words, then the spare normal's bits and whether there is one), for checkpoints.</summary>
    internal ulong[] GetState() =>
        [_s0, _s1, _s2, _s3, _spareNormal is { } f ? BitConverter.SingleToUInt32Bits(f) : 0UL, _spareNormal.HasValue ? 1UL : 0UL, InitialSeed];

    /// <summary>Puts back a state from <see cref="GetState"/>.</summary>
    internal void SetState(IReadOnlyList<ulong> state)
    {
        if (state.Count != 7) throw new InvalidDataException($"A generator state has 7 words, got {state.Count}.");
        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
        _spareNormal = state[5] != 0 ? BitConverter.UInt32BitsToSingle((uint)state[4]) : null;
        InitialSeed = state[6];
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A float uniform on [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>A double uniform on [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A standard normal sample (Box-Muller; the second value of each pair is kept for the next call).</summary>
    public float NextNormal()
    {
        if (_spareNormal is float spare)
        {
            _spareNormal = null;
            return spare;
        }
        double u1 = 1.0 - NextDouble(); // (0, 1]: log is finite
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        double theta = 2.0 * Math.PI * u2;
        _spareNormal = (float)(r * Math.Sin(theta));
        return (float)(r * Math.Cos(theta));
    }

    /// <summary>An integer uniform on [<paramref name="low"/>, <paramref name="high"/>), without modulo bias.</summary>
    public long NextInt64(long low, long high)
    {
        if (high <= low) throw new ArgumentException($"NextInt64: high ({high}) must be greater than low ({low}).");
        ulong range = (ulong)(high - low);
        ulong limit = ulong.MaxValue - ulong.MaxValue % range;
        ulong r;
        do r = NextUInt64(); while (r >= limit);
        return low + (long)(r % range);
    }
}
