using System.Runtime.InteropServices;
using Edge.Runtime.Kernels;
using Edge.Runtime.Kernels.Gemm;
using Xunit;

namespace Edge.Runtime.Tests.Kernels;

/// <summary>
/// The generated AVX-512 VNNI tiles (<see cref="VnniTileCode"/>) on their own, against the sums they promise:
/// <c>tile[(p·8 + r)·16 + c] = Σ_k (a[r][k] + 128)·w_p[c][k]</c>. They run only on CPUs with AVX512_VNNI (Zen 4 and
/// later, Intel since Cascade Lake); elsewhere these tests check that the path is off for the reason the CPU gives, and the
/// Conformance families hold every path that is on against the scalar reference.
/// </summary>
[Trait("Category", "Conformance")]
public class VnniTileTests
{
    [Fact]
    public void The_path_is_on_exactly_where_the_cpu_and_the_switches_allow_it()
    {
        Assert.Equal(VnniTileCode.CpuHasVnni(), VnniTileCode.IsSupported);
        Assert.Equal(VnniTileCode.IsSupported, KernelPaths.Supported(KernelPath.Avx512Vnni) == KernelPath.Avx512Vnni);
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVXVNNI") == "0" || Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0"
            || Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0")
            Assert.False(VnniTileCode.IsSupported);
    }

    [Theory]
    [InlineData(1, 1, 4, 1, false)]
    [InlineData(1, 2, 7, 3, false)]
    [InlineData(2, 2, 37, 13, false)]
    [InlineData(2, 9, 40, 0, false)]
    [InlineData(1, 64, 256, 5, false)]
    [InlineData(1, 2, 7, 3, true)]
    [InlineData(2, 9, 40, 0, true)]
    [InlineData(2, 5, 21, 17, true)]
    public unsafe void Tiles_give_the_shifted_sums_exactly(int panels, int quads, int lda, int seed, bool unsignedA)
    {
        if (!VnniTileCode.IsSupported)
        {
            Assert.False(VnniTileCode.CpuHasVnni());
            return;
        }
        lda = Math.Max(lda, quads * 4);
        var rng = new Random(seed);
        var a = new sbyte[VnniTileCode.Rows * lda];
        var b = new sbyte[panels * quads * 64];
        for (int i = 0; i < a.Length; i++) a[i] = (sbyte)rng.Next(-128, 128);
        for (int i = 0; i < b.Length; i++) b[i] = (sbyte)rng.Next(-127, 128);
        if (seed == 0) Array.Fill(a, sbyte.MaxValue); // every product at its largest: 255·127 per byte, 64 quads
        var tile = new int[Int8GemmTile.TileInts];
        Array.Fill(tile, 12345);
        var shape = VnniTileShape.Gemm(quads);
        // The unsigned tile reads A already as u = x + 128 (a row window written so) and must give the same sums.
        var given = unsignedA ? a.Select(x => (sbyte)(x ^ 0x80)).ToArray() : a;
        fixed (sbyte* pa = given, pb = b)
        fixed (int* pt = tile)
            VnniTileCode.Tile(panels, unsignedA)(pa, lda, pb, &shape, pt, quads * 64);
        for (int p = 0; p < panels; p++)
            for (int r = 0; r < VnniTileCode.Rows; r++)
                for (int c = 0; c < 16; c++)
                {
                    int sum = 0;
                    for (int k = 0; k < quads * 4; k++) sum += (a[r * lda + k] + 128) * b[(p * quads + k / 4) * 64 + c * 4 + k % 4];
                    Assert.True(sum == tile[(p * VnniTileCode.Rows + r) * 16 + c], $"panel {p} row {r} channel {c}: {tile[(p * VnniTileCode.Rows + r) * 16 + c]}, expected {sum}");
                }
        for (int i = panels * VnniTileCode.Rows * 16; i < tile.Length; i++) Assert.Equal(12345, tile[i]);
    }

    [Theory]
    [InlineData(1, 1, 3, 1)]
    [InlineData(2, 2, 9, 2)]
    [InlineData(3, 1, 30, 3)]
    [InlineData(4, 2, 33, 0)]
    [InlineData(5, 1, 8, 5)]
    [InlineData(6, 2, 17, 6)]
    [InlineData(7, 1, 64, 0)]
    [InlineData(7, 2, 5, 7)]
    public unsafe void Partial_tiles_give_their_rows_sums_and_touch_nothing_else(int rows, int panels, int quads, int seed)
    {
        if (!VnniTileCode.IsSupported) return; // the path-is-on test above checks that the CPU has no VNNI then
        var rng = new Random(seed);
        int lda = quads * 4 + rng.Next(0, 9);
        // Only the tile's rows exist, at a stride that is not a multiple of 64; rows and panels past them keep the fill.
        var u = new sbyte[rows * lda];
        var b = new sbyte[panels * quads * 64];
        for (int i = 0; i < u.Length; i++) u[i] = (sbyte)rng.Next(-128, 128);
        for (int i = 0; i < b.Length; i++) b[i] = (sbyte)rng.Next(-127, 128);
        if (seed == 0) Array.Fill(u, (sbyte)-1); // u = 255 everywhere: every product at its largest
        var tile = new int[Int8GemmTile.TileInts];
        Array.Fill(tile, 12345);
        var shape = VnniTileShape.Gemm(quads);
        fixed (sbyte* pu = u, pb = b)
        fixed (int* pt = tile)
            VnniTileCode.PartialTile(panels, rows)(pu, lda, pb, &shape, pt, quads * 64);
        for (int p = 0; p < 2; p++)
            for (int r = 0; r < VnniTileCode.Rows; r++)
                for (int c = 0; c < 16; c++)
                {
                    int at = (p * VnniTileCode.Rows + r) * 16 + c, sum = 12345;
                    if (p < panels && r < rows)
                    {
                        sum = 0;
                        for (int k = 0; k < quads * 4; k++) sum += (byte)u[r * lda + k] * b[(p * quads + k / 4) * 64 + c * 4 + k % 4];
                    }
                    Assert.True(sum == tile[at], $"panel {p} row {r} channel {c}: {tile[at]}, expected {sum}");
                }
        Assert.Throws<ArgumentOutOfRangeException>(() => { VnniTileCode.PartialTile(1, VnniTileCode.Rows); });
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 3, 2)]
    [InlineData(3, 5, 0)]
    [InlineData(5, 2, 4)]
    [InlineData(7, 13, 6)]
    [InlineData(8, 32, 0)]
    [InlineData(8, 1, 9)]
    public unsafe void Row_kernels_give_each_panels_shifted_sums_exactly(int panels, int quadPairs, int seed)
    {
        if (!VnniTileCode.IsSupported) return; // the path-is-on test above checks that the CPU has no VNNI then
        var rng = new Random(seed);
        int quads = 2 * quadPairs, stride = quads * 64 + 64 * rng.Next(0, 3); // panels need not be adjacent
        var a = new sbyte[quads * 4];
        var b = new sbyte[panels * stride];
        for (int i = 0; i < a.Length; i++) a[i] = (sbyte)rng.Next(-128, 128);
        for (int i = 0; i < b.Length; i++) b[i] = (sbyte)rng.Next(-127, 128);
        if (seed == 0) Array.Fill(a, sbyte.MaxValue); // every product at its largest: 255·127 per byte
        var sums = new int[16 * (VnniTileCode.MaxRowPanels + 1)];
        Array.Fill(sums, 12345);
        fixed (sbyte* pa = a, pb = b)
        fixed (int* ps = sums)
            VnniTileCode.Row(panels)(pa, quadPairs, pb, stride, ps);
        for (int p = 0; p < panels; p++)
            for (int c = 0; c < 16; c++)
            {
                int sum = 0;
                for (int k = 0; k < quads * 4; k++) sum += (a[k] + 128) * b[p * stride + k / 4 * 64 + c * 4 + k % 4];
                Assert.True(sum == sums[p * 16 + c], $"panel {p} channel {c}: {sums[p * 16 + c]}, expected {sum}");
            }
        for (int i = panels * 16; i < sums.Length; i++) Assert.Equal(12345, sums[i]);
    }

    [Theory]
    [InlineData(1, 2, 3, 20, 7)]
    [InlineData(2, 3, 5, 0, 8)]
    [InlineData(2, 1, 7, 64, 9)]
    public unsafe void Segmented_tiles_walk_each_segment_then_jump(int panels, int quads, int segments, int jump, int seed)
    {
        if (!VnniTileCode.IsSupported)
        {
            Assert.False(VnniTileCode.CpuHasVnni());
            return;
        }
        const int lda = 6; // rows overlap, as neighbouring pixels' windows do in a direct convolution
        int span = segments * (quads * 4 + jump);
        var rng = new Random(seed);
        var a = new sbyte[VnniTileCode.Rows * lda + span];
        var b = new sbyte[panels * quads * segments * 64];
        for (int i = 0; i < a.Length; i++) a[i] = (sbyte)rng.Next(-128, 128);
        for (int i = 0; i < b.Length; i++) b[i] = (sbyte)rng.Next(-127, 128);
        var tile = new int[Int8GemmTile.TileInts];
        var shape = new VnniTileShape(quads, segments, jump);
        fixed (sbyte* pa = a, pb = b)
        fixed (int* pt = tile)
            VnniTileCode.Tile(panels)(pa, lda, pb, &shape, pt, quads * segments * 64);
        for (int p = 0; p < panels; p++)
            for (int r = 0; r < VnniTileCode.Rows; r++)
                for (int c = 0; c < 16; c++)
                {
                    int sum = 0;
                    for (int sgm = 0; sgm < segments; sgm++)
                        for (int k = 0; k < quads * 4; k++)
                        {
                            int kk = sgm * quads * 4 + k;
                            sum += (a[r * lda + sgm * (quads * 4 + jump) + k] + 128) * b[(p * quads * segments + kk / 4) * 64 + c * 4 + kk % 4];
                        }
                    Assert.Equal(sum, tile[(p * VnniTileCode.Rows + r) * 16 + c]);
                }
    }

    [Theory]
    [InlineData(1, 3, 1, 0, 2, 21)]
    [InlineData(2, 2, 3, 20, 3, 22)]
    [InlineData(2, 5, 1, 0, 4, 23)]
    [InlineData(1, 1, 4, 12, 1, 24)]
    public unsafe void Prefetching_staged_tiles_store_the_same_bytes(int panels, int quads, int segments, int jump, int tiles, int seed)
    {
        if (!VnniTileCode.IsSupported)
        {
            Assert.False(VnniTileCode.CpuHasVnni());
            return;
        }
        // The prefetching kernels keep the segments left in their arguments and swap the prefetch pointers after each
        // tile: several tiles of several segments, each variant against the kernel without prefetches.
        const int lda = 6, ldc = 40;
        int span = segments * (quads * 4 + jump), tileStride = VnniTileCode.Rows * lda + 3;
        var rng = new Random(seed);
        var a = new sbyte[tiles * tileStride + span];
        var b = new sbyte[(panels + 2) * quads * segments * 64];
        for (int i = 0; i < a.Length; i++) a[i] = (sbyte)rng.Next(-128, 128);
        for (int i = 0; i < b.Length; i++) b[i] = (sbyte)rng.Next(-127, 128);
        int lanes = 16 * panels;
        var bias = Enumerable.Range(0, lanes).Select(_ => rng.Next(-5000, 5000)).ToArray();
        var multiplier = Enumerable.Range(0, lanes + 1).Select(_ => rng.Next(1 << 20, 1 << 29)).ToArray();
        var shift = Enumerable.Range(0, lanes).Select(_ => rng.Next(1, 9)).ToArray();
        var add = shift.Select(n => 1 << (n - 1)).ToArray();
        var shape = new VnniTileShape(quads, segments, jump);
        long panelStride = quads * segments * 64;
        for (int variant = 0; variant < 8; variant++)
        {
            var plain = new sbyte[tiles * VnniTileCode.Rows * ldc];
            var prefetched = new sbyte[plain.Length];
            foreach (var (y, prefetch) in new[] { (plain, false), (prefetched, true) })
                fixed (sbyte* pa = a, pb = b, py = y)
                fixed (int* pBias = bias, pM = multiplier, pAdd = add, pShift = shift, pIndex = VnniTileCode.HighDwords)
                {
                    VnniStageArgs args = default;
                    args.Bias = pBias;
                    args.Multiplier = pM;
                    args.Add = pAdd;
                    args.Shift = pShift;
                    args.Index = pIndex;
                    args.ZeroPoint = 3;
                    args.ClampMin = -100;
                    args.ClampMax = 90;
                    args.Masks[0] = 0xFFFF;
                    args.Masks[1] = 0x7FFF;
                    args.Tiles = tiles;
                    args.A = pa;
                    args.Lda = lda;
                    args.ATileStride = tileStride;
                    args.Y = py;
                    args.Ldc = ldc;
                    args.YTileStride = VnniTileCode.Rows * ldc;
                    args.B = pb;
                    args.PanelStride = panelStride;
                    args.Prefetch0 = pb + panels * panelStride;
                    args.Prefetch1 = pb + (panels + 1) * panelStride;
                    VnniTileCode.StagedTiles(panels, unsignedA: false, variant, prefetch)(&shape, &args);
                    Assert.Equal(0, args.Tiles);
                }
            Assert.Equal(plain, prefetched);
            Assert.Contains(plain, v => v != 0);
        }
    }

    [Fact]
    public void The_stage_arguments_offsets_are_the_struct_s_layout()
    {
        // The generated kernels address VnniStageArgs by these constants.
        (string Field, int Offset)[] fields =
        [
            ("Bias", VnniStageArgs.BiasOffset), ("Multiplier", VnniStageArgs.MultiplierOffset), ("Add", VnniStageArgs.AddOffset),
            ("Shift", VnniStageArgs.ShiftOffset), ("Index", VnniStageArgs.IndexOffset), ("ZeroPoint", VnniStageArgs.ZeroPointOffset),
            ("ClampMin", VnniStageArgs.ClampMinOffset), ("ClampMax", VnniStageArgs.ClampMaxOffset), ("Masks", VnniStageArgs.MaskOffset),
            ("Tiles", VnniStageArgs.TilesOffset), ("A", VnniStageArgs.AOffset), ("Lda", VnniStageArgs.LdaOffset),
            ("ATileStride", VnniStageArgs.ATileStrideOffset), ("Y", VnniStageArgs.YOffset), ("Ldc", VnniStageArgs.LdcOffset),
            ("YTileStride", VnniStageArgs.YTileStrideOffset), ("B", VnniStageArgs.BOffset), ("PanelStride", VnniStageArgs.PanelStrideOffset),
            ("Prefetch0", VnniStageArgs.Prefetch0Offset), ("Prefetch1", VnniStageArgs.Prefetch1Offset), ("SegmentsLeft", VnniStageArgs.SegmentsLeftOffset),
        ];
        foreach (var (field, offset) in fields)
            Assert.True(offset == (int)Marshal.OffsetOf<VnniStageArgs>(field), $"{field}: {offset}, layout {Marshal.OffsetOf<VnniStageArgs>(field)}");
    }

    [Fact]
    public unsafe void Code_is_made_only_for_x64()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64) Assert.False(VnniTileCode.IsSupported);
        Assert.NotEmpty(VnniTileCode.Assemble(1));
        Assert.NotEmpty(VnniTileCode.Assemble(2));
        Assert.NotEmpty(VnniTileCode.AssembleStaged(2));
        Assert.NotEmpty(VnniTileCode.AssembleStaged(1, prefetch: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => VnniTileCode.Assemble(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => VnniTileCode.AssembleStaged(0));
        // Staged partial tiles (a direct convolution's last pixels of each row): unsigned A only, no prefetch, 1–7 rows.
        Assert.NotEmpty(VnniTileCode.AssembleStaged(2, unsignedA: true, rows: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => VnniTileCode.AssembleStaged(1, unsignedA: false, rows: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => VnniTileCode.AssembleStaged(1, unsignedA: true, prefetch: true, rows: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => { VnniTileCode.StagedPartialTiles(1, 8, 0); });
        Assert.Equal(VnniTileCode.IsSupported, VnniTileCode.StagedPartialTiles(2, 7, 5) != null);
    }
}
