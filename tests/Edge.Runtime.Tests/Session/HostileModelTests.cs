using Edge.Runtime.Format;
using Edge.Runtime.Session;
using Edge.Runtime.Tests.Session.Support;
using Edge.Runtime.Tests.Support;

namespace Edge.Runtime.Tests.Session;

/// <summary>
/// Truncated and altered .edge files through <see cref="EdgeSession.Load(ReadOnlyMemory{byte}, EdgeSessionOptions?, string)"/>
/// and one run: the only failure allowed is <see cref="EdgeModelFormatException"/>; a file that loads must run.
/// </summary>
public class HostileModelTests
{
    private static readonly byte[] File = EdgeModelWriter.ToBytes(SessionCases.Everything(23).Model);
    private static readonly sbyte[] Input = TestData.Activations(new Random(1), 192);

    [Fact]
    public void Every_truncation_is_a_format_error()
    {
        Assert.InRange(File.Length, 2_000, 20_000);
        foreach (bool checksum in new[] { true, false })
            for (int length = 0; length < File.Length; length++)
            {
                var options = new EdgeSessionOptions { VerifyChecksum = checksum };
                var e = Record.Exception(() => EdgeSession.Load(File.AsMemory(0, length), options, "truncated"));
                Assert.True(e is EdgeModelFormatException, $"truncated to {length} of {File.Length} bytes (checksum {checksum}): {Describe(e)}");
            }
    }

    [Fact]
    public void Byte_flips_are_caught_by_the_checksum()
    {
        var rng = new Random(2);
        var altered = (byte[])File.Clone();
        for (int trial = 0; trial < 10_000; trial++)
        {
            int at = rng.Next(altered.Length);
            byte old = altered[at];
            altered[at] ^= (byte)rng.Next(1, 256);
            var e = Record.Exception(() => EdgeSession.Load(altered.AsMemory(), null, "altered"));
            Assert.True(e is EdgeModelFormatException, $"trial {trial}: byte {at} {old} → {altered[at]}: {Describe(e)}");
            altered[at] = old;
        }
    }

    [Fact]
    public void Byte_flips_past_the_checksum_reach_the_structural_and_operator_checks_and_never_crash()
    {
        var rng = new Random(3);
        var altered = (byte[])File.Clone();
        var options = new EdgeSessionOptions { VerifyChecksum = false };
        int loaded = 0, rejected = 0;
        var messages = new HashSet<string>();
        for (int trial = 0; trial < 10_000; trial++)
        {
            int at = rng.Next(altered.Length);
            byte old = altered[at];
            altered[at] ^= (byte)rng.Next(1, 256);
            try
            {
                var session = EdgeSession.Load(altered.AsMemory(), options, "altered");
                var output = new float[session.Outputs[0].ElementCount];
                var input = new sbyte[session.Inputs[0].ElementCount];
                Input.AsSpan(0, Math.Min(input.Length, Input.Length)).CopyTo(input);
                session.Run(input, output);
                loaded++;
            }
            catch (EdgeModelFormatException e)
            {
                rejected++;
                messages.Add(e.Message.Split(':')[1]);
            }
            catch (Exception e)
            {
                Assert.Fail($"trial {trial}: byte {at} {old} → {altered[at]}: {Describe(e)}");
            }
            altered[at] = old;
        }
        // Both outcomes occur: flips in weights load and run; flips in the structure are rejected, by several checks.
        Assert.True(loaded > 100 && rejected > 100, $"{loaded} loaded, {rejected} rejected");
        Assert.True(messages.Count > 3, string.Join(" | ", messages));
    }

    [Fact]
    public void A_scalar_output_tensor_with_labels_is_a_format_error()
    {
        var model = SessionCases.Everything(23).Model;
        int y = model.Outputs[0];
        model.Tensors[y] = model.Tensors[y] with { Shape = [] };
        var e = Record.Exception(() => EdgeSession.Load(EdgeModelWriter.ToBytes(model).AsMemory(), null, "scalar.edge"));
        Assert.True(e is EdgeModelFormatException, Describe(e));
    }

    [Fact]
    public void A_model_needing_more_arena_than_the_limit_is_refused_before_allocating()
    {
        var options = new EdgeSessionOptions { MaxArenaBytes = 256 }; // the model needs more: 192 + 512 bytes at its first step
        var e = Assert.Throws<EdgeModelFormatException>(() => EdgeSession.Load(File.AsMemory(), options, "big.edge"));
        Assert.Contains("MaxArenaBytes", e.Message);
    }

    /// <summary>
    /// Structured mutations that byte flips rarely reach: an operator's int or float parameter, a tensor's dimension, type
    /// or quantization set to an edge value. Each model loads through the file format and runs once, or is refused.
    /// </summary>
    [Fact]
    public void Edge_values_in_operator_parameters_and_tensors_are_refused_or_run()
    {
        int[] ints = [-1, 0, 1, 2, 3, 5, 30, 31, 62, 63, 127, 128, -128, -129, 255, 65_536, 1 << 30, int.MaxValue, int.MinValue];
        float[] floats = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -1f, 1e-30f, 1e30f];
        var rng = new Random(4);
        int loaded = 0, rejected = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var model = SessionCases.Everything(23).Model;
            string change = Mutate(model, rng, ints, floats);
            try
            {
                var session = EdgeSession.Load(EdgeModelWriter.ToBytes(model).AsMemory(), null, "mutated");
                session.Run(new sbyte[session.Inputs[0].ElementCount], new float[session.Outputs[0].ElementCount]);
                loaded++;
            }
            catch (EdgeModelFormatException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"trial {trial}, {change}: {Describe(e)}");
            }
        }
        Assert.True(loaded > 100 && rejected > 1000, $"{loaded} loaded, {rejected} rejected");
    }

    private static string Mutate(EdgeModel m, Random rng, int[] ints, float[] floats)
    {
        var op = m.Ops[rng.Next(m.Ops.Count)];
        switch (rng.Next(5))
        {
            case 0 when op.Ints.Length > 0:
            {
                int j = rng.Next(op.Ints.Length);
                op.Ints[j] = ints[rng.Next(ints.Length)];
                return $"{op} int {j} = {op.Ints[j]}";
            }
            case 1 when op.Floats.Length > 0:
            {
                int j = rng.Next(op.Floats.Length);
                op.Floats[j] = floats[rng.Next(floats.Length)];
                return $"{op} float {j} = {op.Floats[j]}";
            }
            case 2:
            {
                int t = rng.Next(m.Tensors.Count);
                var shape = (int[])m.Tensors[t].Shape.Clone();
                int d = rng.Next(shape.Length);
                shape[d] = rng.Next(1, 20);
                m.Tensors[t] = m.Tensors[t] with { Shape = shape };
                return $"tensor {t} shape [{string.Join(", ", shape)}]";
            }
            case 3:
            {
                int t = rng.Next(m.Tensors.Count);
                var type = (EdgeDataType)rng.Next(1, 4);
                m.Tensors[t] = m.Tensors[t] with { DataType = type };
                return $"tensor {t} type {type}";
            }
            default:
            {
                int t = rng.Next(m.Tensors.Count);
                m.Tensors[t] = m.Tensors[t] with { ZeroPoint = rng.Next(-128, 128), Scale = (float)Math.Pow(10, rng.Next(-12, 6)) };
                return $"tensor {t} parameters {m.Tensors[t].Scale}, {m.Tensors[t].ZeroPoint}";
            }
        }
    }

    private static string Describe(Exception? e) => e is null ? "no exception" : $"{e.GetType().Name}: {e.Message}\n{e.StackTrace}";
}
