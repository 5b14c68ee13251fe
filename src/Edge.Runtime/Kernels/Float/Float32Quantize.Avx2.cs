using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Float;

/// <summary>The quantizer on 256-bit AVX: four doubles per step, eight values per block (see the type's summary for exactness).</summary>
public sealed partial class Float32Quantize
{
    /// <summary>Whole blocks of eight values; returns how many values it wrote.</summary>
    private static int Avx2Blocks(ref float x, int length, ref sbyte y, int stride, QuantizationParams p)
    {
        var scale = Vector256.Create((double)p.Scale);
        var zp = Vector256.Create((double)p.ZeroPoint);
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            var v = Vector256.LoadUnsafe(ref x, (nuint)i);
            var lo = Avx2Quantize4(Avx.ConvertToVector256Double(v.GetLower()), scale, zp);
            var hi = Avx2Quantize4(Avx.ConvertToVector256Double(v.GetUpper()), scale, zp);
            Store8(lo, hi, ref Unsafe.Add(ref y, (nint)i * stride), stride);
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Avx2Quantize4(Vector256<double> d, Vector256<double> scale, Vector256<double> zp)
    {
        var v = Avx.Divide(d, scale);
        var t = Avx.RoundToZero(v);
        var half = Avx.CompareGreaterThanOrEqual(Vector256.Abs(v - t), Vector256.Create(0.5));
        var away = Vector256.ConditionalSelect(Vector256.Create(-0.0), v, Vector256.Create(1.0)) & half;   // ±1 where |fraction| ≥ ½
        var q = t + away + zp;
        q = Avx.Min(Avx.Max(q, Vector256.Create(-128.0)), Vector256.Create(127.0));
        q = Avx.BlendVariable(q, zp, Avx.CompareUnordered(v, v));
        return Avx.ConvertToVector128Int32WithTruncation(q);
    }
}
