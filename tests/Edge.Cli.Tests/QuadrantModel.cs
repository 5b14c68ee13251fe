using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Edge.Runtime.Arithmetic;
using Edge.Runtime.Format;

namespace Edge.Cli.Tests;

/// <summary>
/// A tiny int8 model whose answer is known: a 6×6 gray input, flattened, and a GEMM whose class k sums the brightness of
/// quadrant k (top-left, top-right, bottom-left, bottom-right), dequantized to float scores; labels "top-left" … An image
/// that is bright in one quadrant is classified as that quadrant, whatever its size or color.
/// </summary>
internal static class QuadrantModel
{
    public static readonly string[] Labels = ["top-left", "top-right", "bottom-left", "bottom-right"];

    public static string Write(TempDir dir, string name = "quadrants.edge")
    {
        var path = dir.File(name);
        EdgeModelWriter.Save(Build(), path);
        return path;
    }

    public static EdgeModel Build()
    {
        var m = new EdgeModel { ProducerVersion = "edge test" };
        // pixel/255 in [0, 1] quantized with s = 1/255, zp = −128: q = pixel − 128.
        int x = m.AddTensor(new EdgeTensor("input", EdgeDataType.Int8, [1, 6, 6, 1], 1f / 255, -128));
        int flat = m.AddTensor(new EdgeTensor("flat", EdgeDataType.Int8, [1, 36], 1f / 255, -128));
        // Scores are sums of 9 values in [0, 1]: s = 9/255, zp = −128.
        int y = m.AddTensor(new EdgeTensor("scores.int8", EdgeDataType.Int8, [1, 4], 9f / 255, -128));
        int scores = m.AddTensor(new EdgeTensor("scores", EdgeDataType.Float32, [1, 4]));
        m.Inputs.Add(new EdgeInput(x, [0f], [1f], EdgeChannelOrder.Gray));
        var weights = new sbyte[4 * 36];
        for (int k = 0; k < 4; k++)
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++) weights[k * 36 + (r + 3 * (k / 2)) * 6 + c + 3 * (k % 2)] = 127;
        var q = QuantizedMultiplier.FromReal((1.0 / 255) * (1.0 / 127) / (9.0 / 255));
        m.Ops.Add(new EdgeOp(EdgeOpType.Reshape, "flatten", [x], [flat]));
        m.Ops.Add(new EdgeOp(EdgeOpType.Gemm, "quadrants", [flat], [y], [-128, 127], null,
        [
            EdgeBlob.FromInt8([4, 36], weights), EdgeBlob.FromInt32([4], new int[4]),
            EdgeBlob.FromInt32([4], Enumerable.Repeat(q.Multiplier, 4).ToArray()), EdgeBlob.FromInt32([4], Enumerable.Repeat(q.Shift, 4).ToArray()),
            EdgeBlob.FromFloat32([4], Enumerable.Repeat(1f / 127, 4).ToArray()),
        ]));
        m.Ops.Add(new EdgeOp(EdgeOpType.Dequantize, "scores/dequantize", [y], [scores]));
        m.Outputs.Add(scores);
        m.Labels.AddRange(Labels);
        return m;
    }

    /// <summary>A gray (1) or RGB (3) image of <paramref name="size"/>², dark except quadrant <paramref name="bright"/>.</summary>
    public static byte[] Image(int size, int bright, int channels = 1)
    {
        var p = new byte[size * size * channels];
        for (int r = 0; r < size; r++)
            for (int c = 0; c < size; c++)
            {
                int quadrant = (r < size / 2 ? 0 : 2) + (c < size / 2 ? 0 : 1);
                for (int ch = 0; ch < channels; ch++) p[(r * size + c) * channels + ch] = (byte)(quadrant == bright ? 230 : 20);
            }
        return p;
    }

    public static void WritePgm(string path, byte[] gray, int size)
        => File.WriteAllBytes(path, [.. Encoding.ASCII.GetBytes($"P5\n{size} {size}\n255\n"), .. gray]);

    /// <summary>A minimal PNG: 8-bit gray or RGB, one IDAT, filter 0 on every row.</summary>
    public static void WritePng(string path, byte[] pixels, int size, int channels)
    {
        using var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, size);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), size);
        header[8] = 8;
        header[9] = (byte)(channels == 1 ? 0 : 2);
        Chunk(file, "IHDR", header);
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            for (int r = 0; r < size; r++)
            {
                z.WriteByte(0);
                z.Write(pixels, r * size * channels, size * channels);
            }
        Chunk(file, "IDAT", raw.ToArray());
        Chunk(file, "IEND", []);
        File.WriteAllBytes(path, file.ToArray());
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        s.Write(four);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(four, Crc32(typed));
        s.Write(four);
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
