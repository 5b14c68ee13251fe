using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Edge.Runtime.Arithmetic;

namespace Edge.Runtime.Kernels.Float;

/// <summary>The quantizer on portable 128-bit vectors (ARM64 and any CPU without AVX): two doubles per step.</summary>
public sealed partial class Float32Quantize
{
    private static int Vector128Blocks(ref float x, int length, ref sbyte y, int stride, QuantizationParams p)
    {
        var scale = Vector128.Create((double)p.Scale);
        var zp = Vector128.Create((double)p.ZeroPoint);
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            var a = Vector128.LoadUnsafe(ref x, (nuint)i);
            var b = Vector128.LoadUnsafe(ref x, (nuint)i + 4);
            var lo = Vector128.Narrow(Quantize2(Vector128.WidenLower(a), scale, zp), Quantize2(Vector128.WidenUpper(a), scale, zp));
            var hi = Vector128.Narrow(Quantize2(Vector128.WidenLower(b), scale, zp), Quantize2(Vector128.WidenUpper(b), scale, zp));
            Store8(lo, hi, ref Unsafe.Add(ref y, (nint)i * stride), stride);
        }
        return i;
    }

    /// <summary>Two values, as int64 lanes in [−128, 127].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<long> Quantize2(Vector128<double> d, Vector128<double> scale, Vector128<double> zp)
    {
        var v = d / scale;
        var t = Vector128.Truncate(v);
        var half = Vector128.GreaterThanOrEqual(Vector128.Abs(v - t), Vector128.Create(0.5));
        var away = Vector128.ConditionalSelect(Vector128.Create(-0.0), v, Vector128.Create(1.0)) & half;
        var q = t + away + zp;
        // Max/Min by compare and select, so that ±∞ saturate whatever the platform's min/max does with them.
        q = Vector128.ConditionalSelect(Vector128.LessThan(q, Vector128.Create(-128.0)), Vector128.Create(-128.0), q);
        q = Vector128.ConditionalSelect(Vector128.GreaterThan(q, Vector128.Create(127.0)), Vector128.Create(127.0), q);
        q = Vector128.ConditionalSelect(Vector128.Equals(v, v), q, zp);
        return Vector128.ConvertToInt64(q);
    }
}
