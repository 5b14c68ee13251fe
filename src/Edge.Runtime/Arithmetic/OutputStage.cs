namespace Edge.Runtime.Arithmetic;

/// <summary>
/// The output stage of a convolution, depthwise convolution or GEMM, prepared once at load: per output channel a
/// requantization multiplier, then the output zero point and the clamp,
/// <c>q_out[c] = clamp(requantize(acc[c], M[c], n[c]) + zp_out, q_min, q_max)</c>.
/// <para>
/// Besides the contract's <c>(M, n)</c> pairs it keeps the per-channel int64 constants the Vector128 path uses
/// (OutputStage.Vector128.cs): Vector128 has no per-lane variable shift, so the shift by <c>n</c> is split
/// into a fixed shift by 31 and a multiplication by <c>2^(62−n)</c> followed by another fixed shift by 31. The AVX2 path
/// (OutputStage.Avx2.cs) has per-lane shifts and keeps the pairs as they are, in tables of its own.
/// </para>
/// </summary>
public sealed partial class OutputStage
{
    /// <param name="multipliers">One valid multiplier per output channel.</param>
    /// <param name="outputZeroPoint">The output tensor's zero point, in [−128, 127].</param>
    /// <param name="clamp">The fused activation's range (<see cref="ClampRange.FromFusedClamp"/>) or <see cref="ClampRange.Full"/>.</param>
    public OutputStage(ReadOnlySpan<QuantizedMultiplier> multipliers, int outputZeroPoint, ClampRange clamp)
    {
        if (multipliers.IsEmpty) throw new ArgumentException("an output stage needs at least one channel multiplier");
        if (outputZeroPoint < sbyte.MinValue || outputZeroPoint > sbyte.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(outputZeroPoint), outputZeroPoint, "the output zero point must be in [−128, 127]");
        Multipliers = multipliers.ToArray();
        OutputZeroPoint = outputZeroPoint;
        Clamp = clamp;
        // The vector tables are padded to a multiple of 4 channels (with M = 0), so a 4-lane load never leaves them.
        int padded = (Multipliers.Length + 3) & ~3;
        VectorMultiplier = new long[padded];
        VectorRounding = new long[padded];
        VectorPostScale = new long[padded];
        for (int c = 0; c < padded; c++)
        {
            var q = c < Multipliers.Length ? Multipliers[c] : new QuantizedMultiplier(0, QuantizedMultiplier.MaxShift);
            q.Validate($"channel {c}");
            // (M, n) with n < 31 is rewritten as (M·2^(31−n), 31): the same value, since the shift absorbs the factor
            // exactly, and M·2^(31−n) ≤ 2^31 because a valid M is at most 2^n.
            int n = Math.Max(q.Shift, 31);
            VectorMultiplier[c] = (long)q.Multiplier << (n - q.Shift);
            VectorRounding[c] = 1L << (n - 1);
            VectorPostScale[c] = 1L << (62 - n);
        }
        (Avx2Multiplier, Avx2Rounding, Avx2Shift) = Avx2Tables(Multipliers);
        (Avx2Short, Avx2ShortMultiplier, Avx2ShortShift, Avx2ShortAdd) = Avx2ShortTables(Multipliers);
        (ArmMultiplier, ArmRounding, ArmNegativeShift) = ArmTables(Multipliers);
        ShortAddWithZeroPoint = ShortAddsWithZeroPoint(Avx2ShortAdd, Avx2ShortShift, outputZeroPoint);
    }

    /// <summary>
    /// The short stage's rounding adds with the zero point folded in, <c>2^(s−1) + zp·2^s</c> per channel, where every one
    /// stays below 2^30 in magnitude; else null. Then <c>⌊(h + 2^(s−1) + zp·2^s) / 2^s⌋ = ⌊(h + 2^(s−1)) / 2^s⌋ + zp</c>
    /// exactly: the high dword h of a product of |acc| ≤ 2^31 and M &lt; 2^31 has |h| ≤ 2^30, so the sum stays in int32.
    /// </summary>
    internal int[]? ShortAddWithZeroPoint { get; }

    private static int[]? ShortAddsWithZeroPoint(int[] add, int[] shift, int zeroPoint)
    {
        var folded = new int[add.Length];
        for (int c = 0; c < add.Length; c++)
        {
            long v = add[c] + ((long)zeroPoint << shift[c]);
            if (Math.Abs(v) >= 1L << 30) return null;
            folded[c] = (int)v;
        }
        return folded;
    }

    /// <summary>Per output channel <c>(M, n)</c>.</summary>
    public QuantizedMultiplier[] Multipliers { get; }
    public int OutputZeroPoint { get; }
    public ClampRange Clamp { get; }
    public int Channels => Multipliers.Length;

    /// <summary><c>M</c> with the shift raised to at least 31 (see the constructor); at most 2^31.</summary>
    internal long[] VectorMultiplier { get; }

    /// <summary><c>2^(n−1)</c> for that shift.</summary>
    internal long[] VectorRounding { get; }

    /// <summary><c>2^(62−n)</c> for that shift: the per-lane factor that turns a shift by 31 + 31 into a shift by <c>n</c>.</summary>
    internal long[] VectorPostScale { get; }

    /// <summary>The scalar output stage for one accumulator of channel <paramref name="channel"/>, as the contract writes it.</summary>
    public sbyte Apply(int acc, int channel) => Requantization.ToInt8(acc, Multipliers[channel], OutputZeroPoint, Clamp);

    public override string ToString() => $"{Channels} channels, zp_out {OutputZeroPoint}, clamp {Clamp}";
}
