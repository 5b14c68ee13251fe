using CsCheck;
using Edge.Core.Errors;
using Edge.Core.Files;

namespace Edge.Fuzz.Tests;

/// <summary>
/// Properties of <see cref="GzipInput"/> (CsCheck; a failure prints the seed that replays it): any data split into
/// any number of gzip members reads back exactly; a file cut anywhere but at a member boundary is refused as
/// truncated or corrupt; a limit below the inflated size is refused while inflating.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class GzipPropertyTests
{
    private static readonly Gen<(byte[] Data, int Members, double Cut)> Cases =
        Gen.Select(Gen.Byte[0, 20].Array[0, 6000], Gen.Int[1, 4], Gen.Double[0, 1]);

    [Fact]
    public void Members_round_trip_and_every_cut_between_boundaries_is_refused()
    {
        using var dir = new TempDir();
        int file = 0;
        Cases.Sample(c =>
        {
            var (data, members, cut) = c;
            var parts = new List<byte[]>();
            var boundaries = new HashSet<int> { 0 };
            int size = 0;
            for (int m = 0; m < members; m++)
            {
                int from = data.Length * m / members, to = data.Length * (m + 1) / members;
                var packed = HostileInputTests.Gzip(data[from..to]);
                parts.Add(packed);
                size += packed.Length;
                boundaries.Add(size);
            }
            var whole = parts.SelectMany(p => p).ToArray();
            string path = Path.Combine(dir.Path, $"g{Interlocked.Increment(ref file)}.gz");
            File.WriteAllBytes(path, whole);
            Assert.Equal(data, InputFile.ReadAllBytes(path, 1 << 20));
            if (data.Length > 0) Assert.Throws<DataFormatException>(() => InputFile.ReadAllBytes(path, data.Length - 1));

            if (whole.Length <= 2) return; // .NET writes no member at all for empty data
            int at = 2 + (int)(cut * (whole.Length - 2));
            if (boundaries.Contains(at)) return;
            File.WriteAllBytes(path, whole[..at]);
            var e = Assert.Throws<DataFormatException>(() => InputFile.ReadAllBytes(path, 1 << 20));
            Assert.DoesNotContain("unsupported compression method", e.Message);
            File.Delete(path);
        }, iter: 300);
    }
}
