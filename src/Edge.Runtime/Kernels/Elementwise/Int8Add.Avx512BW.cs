using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Elementwise;

/// <summary>
/// The AVX-512BW addition, 64 elements at a time (the last 1–63 with masked loads and a store): the AVX2 path's arithmetic (see
/// Int8Add.Avx2.cs for its exactness) on sixteen lanes — widened differences, the inputs' rescale by
/// <see cref="ShiftedRequantizer"/>, the output's short stage with one multiplier for every lane, two saturating packs,
/// then one dword permutation undoes the packs' per-128-bit-lane order, and the fused clamp. In place as the other
/// paths: a block reads its 64 elements of both inputs before it writes.
/// </summary>
public sealed partial class Int8Add
{
    /// <summary>The AVX-512BW path, bit-exact with <see cref="RunScalar"/>; the AVX2 path without AVX-512BW or when n_o does not fit the short form.</summary>
    public static unsafe void RunAvx512BW(Int8Add op, ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b, Span<sbyte> output)
    {
        var mo = op.OutputMultiplier;
        if (!Avx512BW.IsSupported || !OutputStage.FitsShort(mo))
        {
            RunAvx2(op, a, b, output);
            return;
        }
        Guard.SameLength(a.Length, b.Length, "add inputs");
        Guard.SameLength(a.Length, output.Length, "add input and output");
        var k = new Avx512Constants(op);
        int length = output.Length, i = 0;
        fixed (sbyte* pa = a, pb = b, py = output)
        {
            for (; i + 64 <= length; i += 64) Avx512Block(op, k, Vector512.Load(pa + i), Vector512.Load(pb + i)).Store(py + i);
            if (i < length)
            {
                // The last 1–63 elements: masked loads (nothing read past the inputs) and a masked store.
                var mask = MaskedStore.FirstMask(length - i);
                var v = Avx512Block(op, k, Avx512BW.MaskLoad(pa + i, mask, default), Avx512BW.MaskLoad(pb + i, mask, default));
                MaskedStore.First(py + i, v, length - i);
            }
        }
    }

    /// <summary>The constants of one call: the zero points, the output's short stage, the clamp, the packs' order.</summary>
    private readonly struct Avx512Constants(Int8Add op)
    {
        public readonly Vector512<short> ZeroPointA = Vector512.Create((short)op.ZeroPointA), ZeroPointB = Vector512.Create((short)op.ZeroPointB);
        public readonly OutputStage.ShortLanes16 Requantize = Stage(op.OutputMultiplier);
        public readonly Vector512<int> ZeroPointOut = Vector512.Create(op.OutputZeroPoint);
        public readonly Vector512<sbyte> Min = Vector512.Create((sbyte)op.Clamp.Min), Max = Vector512.Create((sbyte)op.Clamp.Max);

        /// <summary>After the packs, 128-bit lane L holds dwords v0[4L..4L+3], v1[…], v2[…], v3[…]: dword 4L + j ← v_j's; put it at 4j + L.</summary>
        public readonly Vector512<int> Order = Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);

        private static OutputStage.ShortLanes16 Stage(QuantizedMultiplier mo)
        {
            var (multiplier, shift, add) = OutputStage.ShortConstants(mo);
            var m = Vector512.Create(multiplier);
            return new OutputStage.ShortLanes16(m, m, Vector512.Create(add), Vector512.Create((uint)shift));
        }
    }

    /// <summary>64 elements of each input to 64 outputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<sbyte> Avx512Block(Int8Add op, in Avx512Constants k, Vector512<sbyte> xa, Vector512<sbyte> xb)
    {
        var da = Avx512BW.ConvertToVector512Int16(xa.GetLower()) - k.ZeroPointA;
        var db = Avx512BW.ConvertToVector512Int16(xb.GetLower()) - k.ZeroPointB;
        var v0 = k.Requantize.Requantize(Sum512(op, da.GetLower(), db.GetLower())) + k.ZeroPointOut;
        var v1 = k.Requantize.Requantize(Sum512(op, da.GetUpper(), db.GetUpper())) + k.ZeroPointOut;
        da = Avx512BW.ConvertToVector512Int16(xa.GetUpper()) - k.ZeroPointA;
        db = Avx512BW.ConvertToVector512Int16(xb.GetUpper()) - k.ZeroPointB;
        var v2 = k.Requantize.Requantize(Sum512(op, da.GetLower(), db.GetLower())) + k.ZeroPointOut;
        var v3 = k.Requantize.Requantize(Sum512(op, da.GetUpper(), db.GetUpper())) + k.ZeroPointOut;
        var bytes = Avx512BW.PackSignedSaturate(Avx512BW.PackSignedSaturate(v0, v1), Avx512BW.PackSignedSaturate(v2, v3));
        var q = Avx512F.PermuteVar16x32(bytes.AsInt32(), k.Order).AsSByte();
        return Vector512.Min(Vector512.Max(q, k.Min), k.Max);
    }

    /// <summary><c>a' + b'</c> for sixteen int16 differences of each input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Sum512(Int8Add op, Vector256<short> da, Vector256<short> db)
        => op._vectorA.Apply(Avx512F.ConvertToVector512Int32(da)) + op._vectorB.Apply(Avx512F.ConvertToVector512Int32(db));
}
