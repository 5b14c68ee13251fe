using System.Buffers.Binary;
using System.Numerics;

namespace Edge.Runtime.Format;

/// <summary>
/// SHA-256 (FIPS 180-4) in managed code. The runtime verifies <c>.edge</c> checksums with it instead of
/// System.Security.Cryptography, which goes through OpenSSL on Linux: a device without libssl (a minimal Pi image,
/// an ARM64 build run under qemu) would abort the process at load. Incremental: <see cref="Append"/> any number of
/// spans, then <see cref="Finish"/>. Not constant-time; it checks integrity, not secrets.
/// </summary>
internal struct Sha256
{
    public const int HashLength = 32;

    private static readonly uint[] RoundConstants =
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    private State _h;
    private Block _pending;
    private int _pendingLength;
    private ulong _totalLength;

    [System.Runtime.CompilerServices.InlineArray(8)]
    private struct State { private uint _e; }

    [System.Runtime.CompilerServices.InlineArray(64)]
    private struct Block { private byte _e; }

    /// <summary>A hasher in its initial state.</summary>
    public static Sha256 Create()
    {
        var s = new Sha256();
        s._h[0] = 0x6a09e667; s._h[1] = 0xbb67ae85; s._h[2] = 0x3c6ef372; s._h[3] = 0xa54ff53a;
        s._h[4] = 0x510e527f; s._h[5] = 0x9b05688c; s._h[6] = 0x1f83d9ab; s._h[7] = 0x5be0cd19;
        return s;
    }

    /// <summary>The SHA-256 of <paramref name="data"/> in one call.</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var s = Create();
        s.Append(data);
        s.Finish(destination);
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        _totalLength += (ulong)data.Length;
        Span<byte> pending = _pending;
        if (_pendingLength > 0)
        {
            int take = Math.Min(64 - _pendingLength, data.Length);
            data[..take].CopyTo(pending[_pendingLength..]);
            _pendingLength += take;
            data = data[take..];
            if (_pendingLength < 64) return;
            Compress(pending);
            _pendingLength = 0;
        }
        while (data.Length >= 64)
        {
            Compress(data[..64]);
            data = data[64..];
        }
        data.CopyTo(pending);
        _pendingLength = data.Length;
    }

    /// <summary>Pads, writes the 32-byte digest to <paramref name="destination"/>; the hasher is spent afterwards.</summary>
    public void Finish(Span<byte> destination)
    {
        if (destination.Length < HashLength) throw new ArgumentException($"the destination holds {destination.Length} bytes; SHA-256 needs {HashLength}", nameof(destination));
        ulong bitLength = _totalLength * 8;
        Span<byte> pending = _pending;
        pending[_pendingLength++] = 0x80;
        if (_pendingLength > 56)
        {
            pending[_pendingLength..].Clear();
            Compress(pending);
            _pendingLength = 0;
        }
        pending[_pendingLength..56].Clear();
        BinaryPrimitives.WriteUInt64BigEndian(pending[56..], bitLength);
        Compress(pending);
        for (int i = 0; i < 8; i++) BinaryPrimitives.WriteUInt32BigEndian(destination[(4 * i)..], _h[i]);
    }

    private void Compress(ReadOnlySpan<byte> block)
    {
        Span<uint> w = stackalloc uint[64];
        for (int t = 0; t < 16; t++) w[t] = BinaryPrimitives.ReadUInt32BigEndian(block[(4 * t)..]);
        for (int t = 16; t < 64; t++)
        {
            uint x = w[t - 15], y = w[t - 2];
            uint s0 = BitOperations.RotateRight(x, 7) ^ BitOperations.RotateRight(x, 18) ^ (x >> 3);
            uint s1 = BitOperations.RotateRight(y, 17) ^ BitOperations.RotateRight(y, 19) ^ (y >> 10);
            w[t] = w[t - 16] + s0 + w[t - 7] + s1;
        }
        uint a = _h[0], b = _h[1], c = _h[2], d = _h[3], e = _h[4], f = _h[5], g = _h[6], h = _h[7];
        var k = RoundConstants;
        for (int t = 0; t < 64; t++)
        {
            uint bigS1 = BitOperations.RotateRight(e, 6) ^ BitOperations.RotateRight(e, 11) ^ BitOperations.RotateRight(e, 25);
            uint ch = (e & f) ^ (~e & g);
            uint t1 = h + bigS1 + ch + k[t] + w[t];
            uint bigS0 = BitOperations.RotateRight(a, 2) ^ BitOperations.RotateRight(a, 13) ^ BitOperations.RotateRight(a, 22);
            uint maj = (a & b) ^ (a & c) ^ (b & c);
            uint t2 = bigS0 + maj;
            h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
        }
        _h[0] += a; _h[1] += b; _h[2] += c; _h[3] += d; _h[4] += e; _h[5] += f; _h[6] += g; _h[7] += h;
    }
}
