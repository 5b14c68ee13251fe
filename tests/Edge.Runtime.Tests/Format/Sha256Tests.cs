using System.Security.Cryptography;
using System.Text;
using Edge.Runtime.Format;
using Xunit;

namespace Edge.Runtime.Tests.Format;

public class Sha256Tests
{
    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void Known_answers_from_fips_180(string message, string expectedHex)
    {
        Span<byte> hash = stackalloc byte[32];
        Sha256.Hash(Encoding.ASCII.GetBytes(message), hash);
        Assert.Equal(expectedHex, Convert.ToHexStringLower(hash));
    }

    [Fact]
    public void Equals_the_platform_hash_for_every_length_and_split()
    {
        var rng = new Random(1234);
        var data = new byte[1100];
        rng.NextBytes(data);
        Span<byte> mine = stackalloc byte[32];
        for (int length = 0; length <= data.Length; length += length < 200 ? 1 : 37)
        {
            var expected = SHA256.HashData(data.AsSpan(0, length));
            Sha256.Hash(data.AsSpan(0, length), mine);
            Assert.True(expected.AsSpan().SequenceEqual(mine), $"length {length}");

            int split = rng.Next(length + 1);
            var s = Sha256.Create();
            s.Append(data.AsSpan(0, split));
            s.Append(data.AsSpan(split, length - split));
            s.Finish(mine);
            Assert.True(expected.AsSpan().SequenceEqual(mine), $"length {length}, split at {split}");
        }
    }
}
