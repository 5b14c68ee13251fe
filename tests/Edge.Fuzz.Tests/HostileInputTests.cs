using System.Buffers.Binary;
using System.IO.Compression;
using Edge.Tests.Shared;

namespace Edge.Fuzz.Tests;

/// <summary>
/// Every input class of issue 14, kept as a regression case: each answers with exit code 2 and one line on stderr
/// (or runs, where the input is valid), leaves its input files intact and does not hang.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _onnx, _edge, _calib, _labels;

    public HostileInputTests()
    {
        _onnx = Copy("lenet5-fashion.onnx", "m.onnx");
        _edge = Copy("lenet5-fashion.edge", "m.edge");
        _calib = Copy("data/fashion-calib-images-idx3-ubyte.gz", "calib.gz");
        _labels = _dir.File("labels.txt");
        File.WriteAllLines(_labels, Enumerable.Range(0, 10).Select(i => $"class {i}"));
    }

    public void Dispose() => _dir.Dispose();

    private string Copy(string shipped, string name)
    {
        string to = _dir.File(name);
        File.Copy(FirmwareModels.PathOf(shipped), to);
        return to;
    }

    private void AssertIntact(Action act)
    {
        var before = new[] { _onnx, _edge, _calib, _labels }.Select(Cli.Hash).ToArray();
        act();
        Assert.Equal(before, new[] { _onnx, _edge, _calib, _labels }.Select(Cli.Hash).ToArray());
        Assert.Empty(Directory.GetFiles(_dir.Path, ".*.tmp"));
    }

    // ── Never lose data ─────────────────────────────────────────────────────────────────────────────────────────────

    [Fact]
    public void Convert_refuses_an_output_that_is_one_of_its_inputs_by_any_name()
    {
        string link = _dir.File("link.onnx"), hard = _dir.File("hard.onnx");
        File.CreateSymbolicLink(link, _onnx);
        bool hardLinked = TryHardLink(_onnx, hard);
        AssertIntact(() =>
        {
            Cli.AssertUserError(Cli.Run("convert", _onnx, "-o", _onnx, "--calib", _calib), "is the model");
            Cli.AssertUserError(Cli.Run("convert", _onnx, "-o", link, "--calib", _calib), "is the model");
            Cli.AssertUserError(Cli.Run("convert", _onnx, "-o", Path.Combine(_dir.Path, ".", "m.onnx"), "--calib", _calib), "is the model");
            if (hardLinked) Cli.AssertUserError(Cli.Run("convert", _onnx, "-o", hard, "--calib", _calib), "is the model");
            Cli.AssertUserError(Cli.Run("convert", _onnx, "-o", _calib, "--calib", _calib), "calibration data");
            Cli.AssertUserError(Cli.Run("convert", _onnx, "-o", _labels, "--calib", _calib, "--labels", _labels), "labels file");
        });
        Assert.True(hardLinked || !OperatingSystem.IsLinux(), "ln failed on Linux");
    }

    [Fact]
    public void Compare_refuses_to_write_its_report_over_an_input()
    {
        AssertIntact(() =>
        {
            Cli.AssertUserError(Cli.Run("compare", _onnx, _edge, "--data", _calib, "-o", _edge, "--limit", "5"), "is the int8 model");
            Cli.AssertUserError(Cli.Run("compare", _onnx, _edge, "--data", _calib, "-o", _onnx, "--limit", "5"), "is the float model");
            Cli.AssertUserError(Cli.Run("compare", _onnx, _edge, "--data", _calib, "-o", _calib, "--limit", "5"), "input data");
        });
    }

    [Fact]
    public void Output_paths_that_are_folders_or_files_where_folders_go_are_one_line_errors()
    {
        Cli.AssertUserError(Cli.Run("demo", "--out", _onnx, "--limit", "5"), "is a file, not a folder");
        Cli.AssertUserError(Cli.Run("accuracy-report", "-o", _dir.Path, "--limit", "5"), "is a directory");
        Cli.AssertUserError(Cli.Run("convert", _onnx, "-o", _dir.Path, "--calib", _calib), "is a directory");
        Cli.AssertUserError(Cli.Run("convert", _onnx, "-o", _dir.File("no/such/folder.edge"), "--calib", _calib), "does not exist");
    }

    [Fact]
    public void A_failed_conversion_leaves_the_previous_output_and_no_temporary_file()
    {
        string output = _dir.File("out.edge");
        File.WriteAllText(output, "previous");
        string bad = _dir.File("bad.f32");
        File.WriteAllBytes(bad, new byte[7]);
        Cli.AssertUserError(Cli.Run("convert", _onnx, "-o", output, "--calib", bad));
        Assert.Equal("previous", File.ReadAllText(output));
        Assert.Empty(Directory.GetFiles(_dir.Path, ".*.tmp"));
    }

    // ── One line, exit 2 ────────────────────────────────────────────────────────────────────────────────────────────

    [Theory]
    [InlineData("bogus")]
    [InlineData("run")]
    [InlineData("eval", "m.edge", "--float-batch", "abc")]
    [InlineData("bench", "m.edge", "--iterations", "1e99")]
    [InlineData("convert", "--no-such-option")]
    [InlineData("--max-input-mb", "0", "inspect", "m.edge")]
    [InlineData("--max-input-mb", "-5", "inspect", "m.edge")]
    [InlineData("--max-pixels", "99999999999999999999", "inspect", "m.edge")]
    public void Parser_errors_and_unknown_commands_are_one_line(params string[] args)
        => Cli.AssertUserError(Cli.Run(args.Select(a => a == "m.edge" ? _edge : a).ToArray()));

    [Fact]
    public void No_command_is_one_line_and_help_still_prints_usage()
    {
        Cli.AssertUserError(Cli.Run(), "no command given");
        var help = Cli.Run("--help");
        Assert.Equal(0, help.Exit);
        Assert.Contains("Usage:", help.Out);
    }

    [Fact]
    public void Float_batch_beyond_the_maximum_is_refused_before_allocating()
        => Cli.AssertUserError(Cli.Run("eval", _edge, "--data", _calib, "--labels", _calib, "--float-batch", "1000000"), "--float-batch 1000000");

    // ── Misleading messages ─────────────────────────────────────────────────────────────────────────────────────────

    [Fact]
    public void A_folder_where_a_file_goes_says_so()
    {
        Cli.AssertUserError(Cli.Run("run", _edge, _dir.Path), "is a directory");
        Cli.AssertUserError(Cli.Run("inspect", _dir.Path), "is a directory");
        Cli.AssertUserError(Cli.Run("eval", _edge, "--data", _dir.Path, "--labels", _calib), "is a directory");
        Cli.AssertUserError(Cli.Run("eval", _edge, "--data", _calib, "--labels", _dir.Path), "is a directory");
        Cli.AssertUserError(Cli.Run("run", _onnx, "--tensor", _dir.Path), "is a directory");
        Cli.AssertUserError(Cli.Run("convert", _onnx, "-o", _dir.File("o.edge"), "--calib", _calib, "--labels", _dir.Path), "is a directory");
    }

    [Fact]
    public void A_fifo_or_a_device_as_an_input_is_named_without_hanging()
    {
        if (!OperatingSystem.IsLinux()) return;
        string fifo = _dir.File("camera.png");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo])!)
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        Cli.AssertUserError(Cli.RunWithin(10, "run", _edge, fifo), "not a regular file");
        Cli.AssertUserError(Cli.RunWithin(10, "inspect", fifo), "not a regular file");
        Cli.AssertUserError(Cli.RunWithin(10, "convert", _onnx, "-o", _dir.File("o.edge"), "--calib", fifo), "not a regular file");
        Cli.AssertUserError(Cli.RunWithin(10, "run", _onnx, "--tensor", "/dev/zero"), "not a regular file");
        Cli.AssertUserError(Cli.RunWithin(10, "eval", _edge, "--data", "/dev/zero", "--labels", _calib), "not a regular file");
    }

    [Fact]
    public void Gzip_truncation_corruption_and_members_are_told_apart()
    {
        var item = new byte[28 * 28 * 4];
        string cut = _dir.File("cut.f32.gz"), crc = _dir.File("crc.f32.gz"), deflate = _dir.File("deflate.f32.gz"), multi = _dir.File("multi.f32.gz");
        File.WriteAllBytes(cut, FlushedWithoutTrailer([.. item, .. item]));
        var good = Gzip(item);
        var badCrc = (byte[])good.Clone();
        badCrc[^6] ^= 1;
        File.WriteAllBytes(crc, badCrc);
        var noise = new byte[1000];
        new Random(3).NextBytes(noise);
        var badDeflate = Gzip([.. noise, .. item[..(item.Length - noise.Length)]]);
        for (int i = 12; i < 40; i++) badDeflate[i] ^= 0x5a;
        File.WriteAllBytes(deflate, badDeflate);
        File.WriteAllBytes(multi, [.. Gzip(item), .. Gzip(item), .. Gzip(item)]);

        Cli.AssertUserError(Cli.Run("run", _onnx, "--tensor", cut), "truncated gzip stream");
        Cli.AssertUserError(Cli.Run("run", _onnx, "--tensor", crc), "CRC-32 mismatch");
        string line = Cli.AssertUserError(Cli.Run("run", _onnx, "--tensor", deflate));
        Assert.DoesNotContain("unsupported compression method", line);
        Assert.True(line.Contains("invalid deflate data") || line.Contains("CRC-32") || line.Contains("length mismatch"), line);
        var ok = Cli.Run("run", _onnx, "--tensor", multi);
        Assert.True(ok.Exit == 0, ok.Err);
        Assert.Contains("[3, 10]", ok.Out);

        string idx = _dir.File("cut-idx3-ubyte.gz");
        var raw = new byte[16 + 2 * 784];
        raw[2] = 8;
        raw[3] = 3;
        BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(4), 2);
        BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(8), 28);
        BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(12), 28);
        File.WriteAllBytes(idx, FlushedWithoutTrailer(raw));
        Cli.AssertUserError(Cli.Run("convert", _onnx, "-o", _dir.File("o.edge"), "--calib", idx), "truncated gzip stream");
    }

    [Fact]
    public void Non_finite_input_tensors_are_refused_on_both_paths()
    {
        string nan = _dir.File("nan.f32");
        var values = new float[784];
        values[17] = float.PositiveInfinity;
        File.WriteAllBytes(nan, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        Cli.AssertUserError(Cli.Run("run", _onnx, "--tensor", nan), "non-finite");
        Cli.AssertUserError(Cli.Run("run", _edge, "--tensor", nan), "non-finite");
    }

    // ── Integer overflow on declared sizes ──────────────────────────────────────────────────────────────────────────

    [Fact]
    public void Png_idx_and_pnm_headers_declaring_enormous_sizes_are_refused()
    {
        string png = _dir.File("huge.png");
        File.WriteAllBytes(png, ImageGenerators.Png(1, 1, 0, 8, header: (uint.MaxValue, uint.MaxValue)));
        Cli.AssertUserError(Cli.Run("run", _edge, png), "exceeds");
        string png2 = _dir.File("wrap.png");
        File.WriteAllBytes(png2, ImageGenerators.Png(1, 1, 0, 8, header: (65536, 65536)));
        Cli.AssertUserError(Cli.Run("run", _edge, png2), "exceeds");
        string idx = _dir.File("wrap-idx3-ubyte");
        var header = new byte[20];
        header[2] = 8;
        header[3] = 4;
        for (int i = 0; i < 4; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), 65536); // 2^64 bytes
        File.WriteAllBytes(idx, header);
        Cli.AssertUserError(Cli.Run("convert", _onnx, "-o", _dir.File("o.edge"), "--calib", idx), "more than 256 MiB");
        string pgm = _dir.File("huge.pgm");
        File.WriteAllText(pgm, "P5 4294967295 4294967295 255\n");
        Cli.AssertUserError(Cli.Run("run", _edge, pgm));
    }

    // ── Batch ───────────────────────────────────────────────────────────────────────────────────────────────────────

    [Fact]
    public void The_float_path_runs_a_multi_item_file_on_a_fixed_batch_model_item_by_item()
    {
        var golden = File.ReadAllBytes(FirmwareModels.PathOf("golden/lenet5-fashion.input.f32"))[..(28 * 28 * 4)];
        string single = _dir.File("one.f32"), eight = _dir.File("eight.f32");
        File.WriteAllBytes(single, golden);
        File.WriteAllBytes(eight, Enumerable.Repeat(golden, 8).SelectMany(b => b).ToArray());
        var one = Cli.Run("run", _onnx, "--tensor", single);
        var many = Cli.Run("run", _onnx, "--tensor", eight);
        Assert.True(many.Exit == 0, many.Err);
        Assert.Contains("[8, 10]", many.Out);
        string first = one.Out.Split('\n')[1].Trim();
        Assert.Equal(8, many.Out.Split('\n').Count(l => l.Trim().StartsWith('[') && l.Trim()[3..] == first[3..]));
    }

    private static bool TryHardLink(string target, string link)
    {
        if (!OperatingSystem.IsLinux()) return false;
        var p = System.Diagnostics.Process.Start("ln", [target, link])!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    internal static byte[] Gzip(byte[] data)
    {
        using var packed = new MemoryStream();
        using (var gz = new GZipStream(packed, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data);
        return packed.ToArray();
    }

    /// <summary>A gzip stream flushed (a full flush: the data so far is decodable) and never finished: no final block, no trailer.</summary>
    internal static byte[] FlushedWithoutTrailer(byte[] data)
    {
        var packed = new MemoryStream();
        var gz = new GZipStream(packed, CompressionLevel.Optimal, leaveOpen: true);
        gz.Write(data);
        gz.Flush();
        return packed.ToArray(); // gz is dropped unfinished on purpose
    }
}

/// <summary>
/// The memory classes, measured: the built <c>edge</c> runs as a child process under <c>/usr/bin/time -v</c> on a gzip
/// bomb (2 MB → 2.3 GB), <c>/dev/zero</c> and a 256 MiB tensor file; each must answer exit 2 with one line, peak
/// resident memory under 1 GB, within 10 s. (Before: 3.6–4.4 GB and OutOfMemoryException.)
/// </summary>
public sealed class PeakMemoryTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Gzip_bomb_dev_zero_and_a_256_MiB_tensor_stay_under_1_GB()
    {
        string onnx = FirmwareModels.PathOf("lenet5-fashion.onnx"), edge = FirmwareModels.PathOf("lenet5-fashion.edge");
        string bomb = _dir.File("bomb.f32.gz"), big = _dir.File("big.f32");
        using (var f = File.Create(bomb))
        using (var gz = new System.IO.Compression.GZipStream(f, System.IO.Compression.CompressionLevel.SmallestSize))
        {
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 2300; i++) gz.Write(zeros);
        }
        using (var f = File.Create(big)) f.SetLength(256L << 20); // sparse: 256 MiB of zeros on disk
        var cases = new[]
        {
            new[] { "run", onnx, "--tensor", bomb },
            ["run", edge, "--tensor", bomb],
            ["convert", onnx, "-o", _dir.File("o.edge"), "--calib", bomb],
            ["compare", onnx, edge, "--data", bomb],
            ["run", onnx, "--tensor", "/dev/zero"],
            ["convert", onnx, "-o", _dir.File("o.edge"), "--calib", "/dev/zero"],
            ["run", onnx, "--tensor", big, "--max-input-mb", "128"],
        };
        foreach (var args in cases)
        {
            var r = Cli.RunChild(60, args);
            Assert.NotNull(r); // GNU time is part of the project's test environment (README)
            string what = $"edge {string.Join(' ', args)}";
            output.WriteLine($"{what}: exit {r.Exit}, peak RSS {r.MaxRssKb / 1024} MiB, {r.Elapsed.TotalSeconds:F1} s: {r.Err.Trim()}");
            Assert.True(r!.Exit == 2, $"{what}: exit {r.Exit}: {r.Err}");
            Assert.True(r.Err.TrimEnd().Split('\n').Length == 1, $"{what}: {r.Err}");
            Assert.True(r.MaxRssKb is > 0 and < 1_000_000, $"{what}: peak RSS {r.MaxRssKb} KiB");
            Assert.True(r.Elapsed < TimeSpan.FromSeconds(10), $"{what}: {r.Elapsed.TotalSeconds:F1} s");
        }
    }
}
