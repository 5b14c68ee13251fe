using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.DepthwiseConv;

/// <summary>
/// The AVX2 output stage's short form (OutputStage.Avx2.cs, <c>ApplyShort</c>: the same instructions and the same
/// exactness argument) with its per-channel constants laid out per 16-channel block, so the 3×3 pair path
/// (Int8DepthwiseConv3x3.Avx2.cs) loads them once per block and output row and keeps them in registers across the row's
/// pixels, where <see cref="OutputStage"/>'s eight-lane stage reloads and re-tests its tables on every call.
/// <para>
/// Per eight int32 lanes: <c>vpmuldq</c> forms the exact products <c>P = acc·M</c> of the even lanes, and of the odd lanes
/// after a 32-bit shift of both operands; <c>2^(n−1)</c> is added in int64 (|P + r| &lt; 2^62 + 2^61); one blend gathers
/// the high dwords <c>⌊(P + r) / 2^32⌋</c> and <c>vpsravd</c> by <c>n − 32</c> finishes <c>⌊(P + r) / 2^n⌋</c>; then the
/// clamp and the output zero point. Valid only where every channel has n ≥ 32 (any multiplier below 1/2, what depthwise
/// layers have): <see cref="Fits"/> says per block; other blocks take <see cref="OutputStage"/>'s stage.
/// </para>
/// </summary>
internal sealed class DepthwiseShortStage
{
    public DepthwiseShortStage(OutputStage stage, int blockChannels)
    {
        var q = stage.Multipliers;
        Multiplier = new int[blockChannels];
        OddMultiplier = new long[blockChannels / 2];
        Shift = new int[blockChannels];
        RoundingEven = new long[blockChannels / 2];
        RoundingOdd = new long[blockChannels / 2];
        Fits = new bool[blockChannels / Int8DepthwiseConv2d.Block];
        Fits.AsSpan().Fill(true);
        for (int c = 0; c < q.Length; c++)
        {
            Fits[c / Int8DepthwiseConv2d.Block] &= q[c].Shift >= 32;
            if (q[c].Shift < 32) continue;
            Multiplier[c] = q[c].Multiplier;
            Shift[c] = q[c].Shift - 32;
            if (c % 2 == 0) RoundingEven[c / 2] = 1L << (q[c].Shift - 1);
            else (RoundingOdd[c / 2], OddMultiplier[c / 2]) = (1L << (q[c].Shift - 1), q[c].Multiplier);
        }
        (Low, High, ZeroPoint) = (stage.Clamp.Min - stage.OutputZeroPoint, stage.Clamp.Max - stage.OutputZeroPoint, stage.OutputZeroPoint);
        Bounds = new short[3 * 16];
        Bounds.AsSpan(0, 16).Fill((short)Low);
        Bounds.AsSpan(16, 16).Fill((short)High);
        Bounds.AsSpan(32, 16).Fill((short)ZeroPoint);
    }

    /// <summary>Per 16-channel block: whether all its channels have n ≥ 32.</summary>
    public bool[] Fits { get; }

    /// <summary>M per channel (0 past C and where n &lt; 32).</summary>
    public int[] Multiplier { get; }

    /// <summary>M of the odd channels in the low dword of int64 slots: the odd lanes' <c>vpmuldq</c> operand, shifted already.</summary>
    public long[] OddMultiplier { get; }

    /// <summary>n − 32 per channel.</summary>
    public int[] Shift { get; }

    /// <summary>2^(n−1) of the even and of the odd channels.</summary>
    public long[] RoundingEven { get; }
    public long[] RoundingOdd { get; }

    /// <summary>The clamp less the zero point, and the zero point.</summary>
    public int Low { get; }
    public int High { get; }
    public int ZeroPoint { get; }

    /// <summary><see cref="Low"/>, <see cref="High"/> and <see cref="ZeroPoint"/> as int16, 16 of each: memory operands.</summary>
    public short[] Bounds { get; }

    /// <summary>
    /// <see cref="Lanes.Requantize"/> on the eight channels from <paramref name="channel"/> with the constants read from
    /// the tables as memory operands, for AVX2 without AVX-512 VL: its 16 ymm registers cannot hold the block's constants
    /// next to the pixel loop's weights and sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<int> Requantize(Vector256<int> acc, int channel)
    {
        var even = Avx2.Multiply(acc, Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(Multiplier), (nuint)channel))
            + Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(RoundingEven), (nuint)(channel / 2));
        var odd = Avx2.Multiply(Avx2.ShiftRightLogical(acc.AsInt64(), 32).AsInt32(),
                Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(OddMultiplier), (nuint)(channel / 2)).AsInt32())
            + Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(RoundingOdd), (nuint)(channel / 2));
        var high = Avx2.Blend(Avx2.ShiftRightLogical(even, 32).AsInt32(), odd.AsInt32(), 0b1010_1010);
        return Avx2.ShiftRightArithmeticVariable(high, Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(Shift), (nuint)channel).AsUInt32());
    }

    /// <summary>The constants of eight channels from <paramref name="channel"/> (even, below BlockChannels − 7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Lanes Load(int channel) => new(
        Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(Multiplier), (nuint)channel),
        Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(OddMultiplier), (nuint)(channel / 2)).AsInt32(),
        Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(RoundingEven), (nuint)(channel / 2)),
        Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(RoundingOdd), (nuint)(channel / 2)),
        Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(Shift), (nuint)channel).AsUInt32());

    /// <summary>The constants of the 16 channels from <paramref name="channel"/> (a multiple of 16), for AVX-512.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Lanes16 Load16(int channel) => new(
        Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(Multiplier), (nuint)channel),
        Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(OddMultiplier), (nuint)(channel / 2)).AsInt32(),
        Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(RoundingEven), (nuint)(channel / 2)),
        Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(RoundingOdd), (nuint)(channel / 2)),
        Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(Shift), (nuint)channel).AsUInt32());

    /// <summary>Sixteen channels' constants (AVX-512 F), held in registers across a row; as <see cref="Lanes"/>.</summary>
    public readonly struct Lanes16(Vector512<int> multiplier, Vector512<int> oddMultiplier, Vector512<long> roundingEven, Vector512<long> roundingOdd, Vector512<uint> shift)
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<int> Requantize(Vector512<int> acc)
        {
            var even = Avx512F.Multiply(acc, multiplier) + roundingEven;
            var odd = Avx512F.Multiply(Avx512F.ShiftRightLogical(acc.AsInt64(), 32).AsInt32(), oddMultiplier) + roundingOdd;
            var high = Vector512.ConditionalSelect(Vector512.Create(~0L << 32).AsInt32(), odd.AsInt32(), Avx512F.ShiftRightLogical(even, 32).AsInt32());
            return Avx512F.ShiftRightArithmeticVariable(high, shift);
        }
    }

    /// <summary>Eight channels' constants, held in registers across a row.</summary>
    public readonly struct Lanes(Vector256<int> multiplier, Vector256<int> oddMultiplier, Vector256<long> roundingEven, Vector256<long> roundingOdd, Vector256<uint> shift)
    {
        /// <summary>The requantized accumulators, before the clamp.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<int> Requantize(Vector256<int> acc)
        {
            var even = Avx2.Multiply(acc, multiplier) + roundingEven;
            var odd = Avx2.Multiply(Avx2.ShiftRightLogical(acc.AsInt64(), 32).AsInt32(), oddMultiplier) + roundingOdd;
            // Dword 2i ← the high dword of even[i]; dword 2i + 1 ← the high dword of odd[i], already in place. vpblendd
            // has no EVEX form, so where AVX-512 VL gives the JIT registers 16..31 (and it keeps the row's operands
            // there) a bitwise select (vpternlogd) does the blend without moving them through memory.
            var evenHigh = Avx2.ShiftRightLogical(even, 32).AsInt32();
            var high = Avx512F.VL.IsSupported
                ? Vector256.ConditionalSelect(Vector256.Create(~0L << 32).AsInt32(), odd.AsInt32(), evenHigh)
                : Avx2.Blend(evenHigh, odd.AsInt32(), 0b1010_1010);
            return Avx2.ShiftRightArithmeticVariable(high, shift);
        }
    }
}
