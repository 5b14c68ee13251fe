using System.Runtime.InteropServices;
using Edge.Runtime.Format;
using Edge.Runtime.Session;
using Edge.Runtime.Tests.Session.Support;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Session;

/// <summary>
/// A session over a hand-built model gives exactly the bytes of the model's operators run directly on their kernels'
/// scalar reference, on the Scalar and on the Vector128 path; the model goes through the .edge writer and reader first.
/// </summary>
[Trait("Category", "Conformance")]
public class SessionConformanceTests
{
    public static IEnumerable<object[]> Cases => SessionCases.Names();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Session_output_equals_the_kernels_run_directly(string name)
    {
        var builder = SessionCases.All[name]();
        var file = EdgeModelWriter.ToBytes(builder.Model);
        var rng = new Random(name.Length);
        foreach (var path in new[] { KernelSelection.Scalar, KernelSelection.Vector128, KernelSelection.Avx2, KernelSelection.Auto })
        {
            var session = EdgeSession.Load(file, new EdgeSessionOptions { Kernels = path }, name);
            for (int trial = 0; trial < 3; trial++)
            {
                var input = TestData.Activations(rng, session.Inputs[0].ElementCount, extreme: trial == 2);
                var expected = builder.Reference(input);
                var actual = RunRaw(session, input);
                Exact.Equal<byte>(expected, actual, $"{name}, {path}, trial {trial}");
                if (trial == 0 && session.Outputs[0].DataType == EdgeDataType.Int8)
                    Exact.Varied(MemoryMarshal.Cast<byte, sbyte>(actual), $"{name}: output");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Scalar_Vector128_and_Avx2_sessions_are_bit_identical(string name)
    {
        var model = SessionCases.All[name]().Model;
        var scalar = EdgeSession.FromModel(model, new EdgeSessionOptions { Kernels = KernelSelection.Scalar });
        var vector = EdgeSession.FromModel(model, new EdgeSessionOptions { Kernels = KernelSelection.Vector128 });
        var avx2 = EdgeSession.FromModel(model, new EdgeSessionOptions { Kernels = KernelSelection.Avx2 });
        var rng = new Random(7);
        for (int trial = 0; trial < 5; trial++)
        {
            var input = TestData.Activations(rng, scalar.Inputs[0].ElementCount);
            Exact.Equal<byte>(RunRaw(scalar, input), RunRaw(vector, input), $"{name}, trial {trial}");
            Exact.Equal<byte>(RunRaw(scalar, input), RunRaw(avx2, input), $"{name}, AVX2, trial {trial}");
        }
    }

    /// <summary>The output tensor's bytes: int8 as it is, float32 as its bit patterns.</summary>
    internal static byte[] RunRaw(EdgeSession session, sbyte[] input)
    {
        var info = session.Outputs[0];
        if (info.DataType == EdgeDataType.Int8)
        {
            var q = new sbyte[info.ElementCount];
            session.Run(input, q);
            return MemoryMarshal.AsBytes(q.AsSpan()).ToArray();
        }
        var f = new float[info.ElementCount];
        session.Run(input, f);
        if (info.IsImageLayout) f = ToNhwc(f, info.NhwcShape);
        return MemoryMarshal.AsBytes(f.AsSpan()).ToArray();
    }

    private static float[] ToNhwc(float[] nchw, int[] nhwc)
    {
        int hw = nhwc[1] * nhwc[2], c = nhwc[3];
        var y = new float[nchw.Length];
        for (int p = 0; p < nchw.Length / c; p++)
            for (int ch = 0; ch < c; ch++) y[p * c + ch] = nchw[((p / hw) * c + ch) * hw + p % hw];
        return y;
    }
}
