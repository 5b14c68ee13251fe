using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// A cheaper AVX2 output stage for the depthwise kernels, for groups of eight channels whose shifts are all at least 32
/// (any multiplier below 1/2 — what depthwise layers have; other groups take <see cref="OutputStage"/>'s general stage).
/// <para>
/// Per eight int32 accumulators: <c>vpmuldq</c> forms the exact products <c>P = acc·M</c> of the even lanes, and of the odd
/// lanes after a 32-bit shift of both operands; the rounding <c>2^(n−1)</c> is added in int64 (|P + r| &lt; 2^62 + 2^61). The
/// high dword of an int64 is its floor quotient by 2^32, so one blend gathers <c>h = ⌊(P + r) / 2^32⌋</c> of all eight lanes,
/// and <c>vpsravd</c> by <c>n − 32</c> (0..30) finishes <c>⌊(P + r) / 2^n⌋</c> — floor divisions by powers of two compose — which
/// is the contract's requantization exactly. Zero point and clamp follow as in every stage. About a third of the general
/// stage's instructions: no widening to int64 lanes, no sign-mask emulation of an arithmetic 64-bit shift.
/// </para>
/// </summary>
internal sealed class DepthwiseOutputStage
{
    public DepthwiseOutputStage(OutputStage stage, int blockChannels)
    {
        Stage = stage;
        int c = stage.Channels;
        Multiplier = new int[blockChannels];
        Shift = new int[blockChannels];
        RoundingEven = new long[blockChannels / 2];
        RoundingOdd = new long[blockChannels / 2];
        Fast = new bool[blockChannels / 8];
        Array.Fill(Fast, true);
        for (int ch = 0; ch < blockChannels; ch++)
        {
            // Channels past C: M = 0 with n = 32, so they requantize to 0 on the fast path.
            var q = ch < c ? stage.Multipliers[ch] : new QuantizedMultiplier(0, 32);
            Multiplier[ch] = q.Multiplier;
            Shift[ch] = q.Shift - 32;
            (ch % 2 == 0 ? RoundingEven : RoundingOdd)[ch / 2] = 1L << (q.Shift - 1);
            if (q.Shift < 32) Fast[ch / 8] = false;
        }
        MinusZp = Vector256.Create(stage.Clamp.Min - stage.OutputZeroPoint);
        MaxMinusZp = Vector256.Create(stage.Clamp.Max - stage.OutputZeroPoint);
        Zp = Vector256.Create(stage.OutputZeroPoint);
    }

    public OutputStage Stage { get; }
    private int[] Multiplier { get; }
    private int[] Shift { get; }
    private long[] RoundingEven { get; }
    private long[] RoundingOdd { get; }

    /// <summary>Per group of eight channels: every shift is at least 32.</summary>
    private bool[] Fast { get; }

    private Vector256<int> MinusZp { get; }
    private Vector256<int> MaxMinusZp { get; }
    private Vector256<int> Zp { get; }

    /// <summary>The stage on channels [<paramref name="channel"/>, +8), a multiple of 8 below C; int32 lanes in [−128, 127].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<int> Apply(Vector256<int> acc, int channel)
    {
        if (!Fast[channel >> 3]) return Stage.Apply(acc, channel);
        var m = Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(Multiplier), (nuint)channel);
        var even = Avx2.Multiply(acc, m) + Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(RoundingEven), (nuint)(channel >> 1));
        var odd = Avx2.Multiply(Avx2.ShiftRightLogical(acc.AsInt64(), 32).AsInt32(), Avx2.ShiftRightLogical(m.AsInt64(), 32).AsInt32())
            + Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(RoundingOdd), (nuint)(channel >> 1));
        // Dword 2i ← the high dword of even[i]; dword 2i + 1 ← the high dword of odd[i], already in place.
        var high = Avx2.Blend(Avx2.ShiftRightLogical(even, 32).AsInt32(), odd.AsInt32(), 0b1010_1010);
        var v = Avx2.ShiftRightArithmeticVariable(high, Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(Shift), (nuint)channel).AsUInt32());
        return Vector256.Min(Vector256.Max(v, MinusZp), MaxMinusZp) + Zp;
    }
}
