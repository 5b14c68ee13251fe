using Edge.Core.Errors;
using Edge.Core.Files;
using Edge.Core.Tensors;
using Edge.Onnx;
using Edge.Onnx.Proto;
using Edge.Quantization;
using Edge.Tests.Shared;
using Edge.Vision.Datasets;
using Edge.Vision.Images;
using Google.Protobuf;

namespace Edge.Fuzz.Tests;

/// <summary>
/// Seeded fuzzers over every input Edge reads: ONNX bytes and structure, images, IDX and gzip, raw tensors, option
/// values. The property each checks: the reader either succeeds or throws an <see cref="EdgeException"/> (one line,
/// exit 2 in the CLI) — never another exception type, never an allocation past the limits.
/// </summary>
[Trait("Category", "Fuzz")]
[Trait("Category", "FuzzLong")]
public sealed class FuzzTests
{
    private static readonly byte[] Lenet = File.ReadAllBytes(FirmwareModels.PathOf("lenet5-fashion.onnx"));
    private static readonly byte[] MobileNet = File.ReadAllBytes(FirmwareModels.PathOf("mobilenet-fashion.onnx"));

    private static void EdgeOrSuccess(Action act)
    {
        try
        {
            act();
        }
        catch (EdgeException)
        {
            // the answer a user gets: one line, exit 2
        }
    }

    [Fact]
    public void Onnx_bytes_truncated_flipped_and_spliced_import_or_fail_typed()
        => FuzzBudget.Run("onnx-bytes", 300, r =>
        {
            var bytes = FuzzBudget.Mutate(r.Next(3) == 0 ? MobileNet : Lenet, r);
            EdgeOrSuccess(() =>
            {
                var g = OnnxImporter.Import(bytes, "fuzz.onnx");
                g.Validate();
                g.InferShapes(1);
            });
        });

    [Fact]
    public void Onnx_structural_mutations_import_and_convert_or_fail_typed()
        => FuzzBudget.Run("onnx-structure", 150, r =>
        {
            var model = ModelProto.Parser.ParseFrom(Lenet);
            var g = model.Graph;
            for (int k = r.Next(1, 4); k > 0; k--) MutateStructure(g, r);
            var bytes = model.ToByteArray();
            bool convert = r.Next(6) == 0;
            EdgeOrSuccess(() =>
            {
                var graph = OnnxImporter.Import(bytes, "fuzz.onnx");
                graph.Validate();
                var shape = graph.InferShapes(1)[graph.Inputs[0].Name];
                if (!convert || shape.ElementCount > 1 << 16) return;
                var item = new float[shape.ElementCount];
                for (int i = 0; i < item.Length; i++) item[i] = (float)r.NextDouble();
                var result = Converter.Convert(graph, new LargeGraphTests.ArraySource([item], shape.ToArray()[1..]), new ConverterOptions { Calibrator = "minmax" });
                EdgeModelFile.CheckLoadable(Edge.Runtime.Format.EdgeModelWriter.ToBytes(result.Model), "fuzz.edge");
            });
        });

    private static void MutateStructure(GraphProto g, Random r)
    {
        string[] ops = ["Relu", "Conv", "Gemm", "Add", "Mul", "Pad", "MaxPool", "Reshape", "Flatten", "Concat", "Softmax", "Transpose", "Sigmoid", "NoSuchOp"];
        long[] dims = [0, -1, 1, 3, 65536, int.MaxValue, 1L << 40];
        switch (r.Next(9))
        {
            case 0 when g.Node.Count > 1: g.Node.RemoveAt(r.Next(g.Node.Count)); break;
            case 1 when g.Initializer.Count > 0: g.Initializer.RemoveAt(r.Next(g.Initializer.Count)); break;
            case 2 when g.Node.Count > 0: g.Node[r.Next(g.Node.Count)].OpType = ops[r.Next(ops.Length)]; break;
            case 3 when g.Input.Count > 0 && g.Input[0].Type?.TensorType?.Shape is { } s && s.Dim.Count > 0:
                s.Dim[r.Next(s.Dim.Count)].DimValue = dims[r.Next(dims.Length)];
                break;
            case 4 when g.Node.Count > 0:
            {
                var n = g.Node[r.Next(g.Node.Count)];
                var a = new AttributeProto { Name = r.Next(2) == 0 ? "pads" : (n.Attribute.Count > 0 ? n.Attribute[0].Name : "axis"), Type = AttributeProto.Types.AttributeType.Ints };
                for (int i = r.Next(0, 9); i > 0; i--) a.Ints.Add(dims[r.Next(dims.Length)]);
                n.Attribute.Add(a);
                break;
            }
            case 5 when g.Node.Count > 0:
            {
                var n = g.Node[r.Next(g.Node.Count)];
                if (n.Input.Count > 0) n.Input[r.Next(n.Input.Count)] = n.Output.Count > 0 && r.Next(2) == 0 ? n.Output[0] : g.Node[r.Next(g.Node.Count)].Output.FirstOrDefault() ?? "x";
                break;
            }
            case 6 when g.Node.Count > 0: g.Node.Add(g.Node[r.Next(g.Node.Count)].Clone()); break;
            case 7 when g.Initializer.Count > 0:
            {
                var t = g.Initializer[r.Next(g.Initializer.Count)];
                if (t.Dims.Count > 0) t.Dims[r.Next(t.Dims.Count)] = dims[r.Next(dims.Length)];
                break;
            }
            default:
                if (g.Output.Count > 0 && g.Node.Count > 0) g.Output[0].Name = g.Node[r.Next(g.Node.Count)].Output.FirstOrDefault() ?? "y";
                break;
        }
    }

    [Fact]
    public void Images_with_mutated_headers_chunks_and_sizes_decode_or_fail_typed()
        => FuzzBudget.Run("images", 1500, r =>
        {
            int w = r.Next(1, 40), h = r.Next(1, 40);
            byte[] seed = r.Next(3) switch
            {
                0 => r.Next(5) switch
                {
                    0 => ImageGenerators.Png(w, h, 0, new[] { 1, 2, 4, 8 }[r.Next(4)], seed: r.Next()),
                    1 => ImageGenerators.Png(w, h, 2, 8, seed: r.Next()),
                    2 => ImageGenerators.Png(w, h, 3, new[] { 1, 2, 4, 8 }[r.Next(4)], seed: r.Next()),
                    3 => ImageGenerators.Png(w, h, 4, 8, seed: r.Next()),
                    _ => ImageGenerators.Png(w, h, 6, 8, seed: r.Next()),
                },
                1 => ImageGenerators.Bmp(w, h, r.Next(2) == 0 ? 24 : 8, r.Next()),
                _ => ImageGenerators.Pnm(w, h, r.Next(2) == 0, r.Next(2) == 0, r.Next(3) == 0 ? 65535 : 255, r.Next()),
            };
            var bytes = r.Next(8) == 0 ? seed : FuzzBudget.Mutate(seed, r);
            EdgeOrSuccess(() =>
            {
                var image = ImageDecoder.Decode(bytes, "fuzz");
                Assert.True((long)image.Width * image.Height <= InputLimits.MaxPixels);
                Assert.Equal((long)image.Width * image.Height * image.Channels, image.Pixels.LongLength);
            });
        });

    [Fact]
    public void Idx_files_raw_and_gzip_mutated_read_or_fail_typed()
    {
        using var dir = new TempDir();
        FuzzBudget.Run("idx", 400, r =>
        {
            int rank = r.Next(1, 4);
            var dims = Enumerable.Range(0, rank).Select(_ => r.Next(0, 12)).ToArray();
            var data = new byte[dims.Aggregate(1, (a, d) => a * d)];
            r.NextBytes(data);
            var seed = IdxFile.Encode(new IdxTensor(dims, data), gzip: r.Next(2) == 0);
            var bytes = FuzzBudget.Mutate(seed, r);
            string path = dir.File($"f{r.Next()}.idx");
            File.WriteAllBytes(path, bytes);
            EdgeOrSuccess(() =>
            {
                var t = IdxFile.Read(path);
                Assert.Equal(t.Dims.Aggregate(1L, (a, d) => a * d), t.Data.LongLength);
            });
            File.Delete(path);
        });
    }

    [Fact]
    public void Tensor_files_of_any_length_and_value_read_or_fail_typed()
    {
        using var dir = new TempDir();
        FuzzBudget.Run("tensors", 400, r =>
        {
            var bytes = new byte[r.Next(0, 200)];
            r.NextBytes(bytes);
            if (r.Next(3) == 0) bytes = HostileInputTests.Gzip(bytes);
            if (r.Next(3) == 0 && bytes.Length > 0) bytes = FuzzBudget.Mutate(bytes, r);
            string path = dir.File($"t{r.Next()}.f32");
            File.WriteAllBytes(path, bytes);
            int item = r.Next(1, 9);
            EdgeOrSuccess(() =>
            {
                using var reader = Float32File.OpenItems(path, item, finiteOnly: r.Next(2) == 0);
                var buffer = new float[item];
                while (reader.ReadItem(buffer)) { }
            });
            EdgeOrSuccess(() => Float32File.Read(path));
            File.Delete(path);
        });
    }

    [Fact]
    public void Option_values_are_accepted_or_refused_in_one_line()
    {
        string edge = FirmwareModels.PathOf("lenet5-fashion.edge"), onnx = FirmwareModels.PathOf("lenet5-fashion.onnx");
        string golden = FirmwareModels.PathOf("golden/lenet5-fashion.input.f32"), data = FirmwareModels.PathOf("data/fashion-calib-images-idx3-ubyte.gz");
        string[] values = ["-1", "0", "-2147483649", "2147483648", "99999999999999999999", "NaN", "1e309", "abc", "", "0x10", "1,5", "-0", "+3", " 2", "inf"];
        FuzzBudget.Run("options", 80, r =>
        {
            string v = values[r.Next(values.Length)], w = values[r.Next(values.Length)];
            string[] args = r.Next(8) switch
            {
                0 => ["run", edge, "--tensor", golden, "--top", v],
                1 => ["run", edge, "--tensor", golden, "--kernels", v],
                2 => ["--max-input-mb", v, "run", edge, "--tensor", golden],
                3 => ["--max-pixels", v, "inspect", edge],
                4 => ["eval", edge, "--data", data, "--labels", data, "--float-batch", v, "--threads", w],
                5 => ["eval", edge, "--data", data, "--labels", data, "--limit", v],
                6 => ["convert", onnx, "-o", Path.Combine(Path.GetTempPath(), $"fuzz{r.Next()}.edge"), "--calib", golden, "--samples", v, "--percentile", w, "--calibrator", "percentile"],
                _ => ["convert", onnx, "-o", Path.Combine(Path.GetTempPath(), $"fuzz{r.Next()}.edge"), "--calib", golden, "--mean", v, "--std", w],
            };
            var result = Cli.Run(args);
            if (args[0] == "convert" && result.Exit == 0) File.Delete(args[3]);
            Assert.True(result.Exit is 0 or 2, $"edge {string.Join(' ', args)}: exit {result.Exit}\n{result.Err}");
            if (result.Exit == 2) Cli.AssertUserError(result);
        });
    }
}
