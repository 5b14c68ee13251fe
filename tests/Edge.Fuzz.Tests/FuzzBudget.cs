using System.Diagnostics;

namespace Edge.Fuzz.Tests;

/// <summary>
/// How long a fuzz loop runs. In the normal test run: a fixed number of cases with seeds 0, 1, 2, … (the same cases
/// every run, well within CI's two minutes for the whole project). With <c>EDGE_FUZZ_SECONDS=N</c> set (the long
/// run: <c>dotnet test tests/Edge.Fuzz.Tests -c Release --filter Category=FuzzLong</c>), each loop runs for N seconds
/// on fresh seeds. A failure names the loop, the seed and the case, so <see cref="Run"/> with that seed replays it.
/// </summary>
internal static class FuzzBudget
{
    public static int? Seconds => int.TryParse(Environment.GetEnvironmentVariable("EDGE_FUZZ_SECONDS"), out int s) && s > 0 ? s : null;

    /// <summary>Runs <paramref name="body"/> on seeded generators until the budget is spent; returns the cases run.</summary>
    public static int Run(string name, int cases, Action<Random> body)
    {
        int baseSeed = Seconds is null ? 0 : Environment.TickCount & 0x3fffffff;
        var watch = Stopwatch.StartNew();
        int run = 0;
        for (int i = 0; Seconds is { } s ? watch.Elapsed.TotalSeconds < s : i < cases; i++, run++)
        {
            int seed = baseSeed + i;
            try
            {
                body(new Random(seed));
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                throw new Xunit.Sdk.XunitException($"{name}: seed {seed} threw {e.GetType().Name}: {e.Message}\n{e}");
            }
            catch (Xunit.Sdk.XunitException e)
            {
                throw new Xunit.Sdk.XunitException($"{name}: seed {seed}: {e.Message}");
            }
        }
        return run;
    }

    /// <summary>The mutations every byte fuzzer applies: truncation, bit flips, extreme 32-bit fields, spliced runs.</summary>
    public static byte[] Mutate(byte[] seed, Random r)
    {
        var b = (byte[])seed.Clone();
        switch (r.Next(5))
        {
            case 0:
                return b[..r.Next(b.Length)];
            case 1:
                for (int k = r.Next(1, 9); k > 0; k--) b[r.Next(b.Length)] ^= (byte)(1 << r.Next(8));
                return b;
            case 2:
            {
                uint[] extremes = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 65536, 0x10000001];
                int at = r.Next(Math.Max(1, Math.Min(b.Length - 4, 64)));
                if (b.Length >= 4) System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at), extremes[r.Next(extremes.Length)]);
                if (r.Next(2) == 0 && b.Length >= 4) (b[at], b[at + 3]) = (b[at + 3], b[at]); // little-endian readers too
                return b;
            }
            case 3:
            {
                int from = r.Next(b.Length), to = r.Next(b.Length), n = r.Next(1, Math.Min(64, b.Length - Math.Max(from, to)) + 1);
                if (n > 0 && Math.Max(from, to) + n <= b.Length) Array.Copy(seed, from, b, to, n);
                return b;
            }
            default:
                b[r.Next(b.Length)] = (byte)r.Next(256);
                return b;
        }
    }
}
