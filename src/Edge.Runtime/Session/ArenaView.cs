using System.Runtime.InteropServices;

namespace Edge.Runtime.Session;

/// <summary>Where a tensor lives in the arena: a byte offset and length (offset −1: the tensor is not used).</summary>
internal readonly record struct TensorSlot(int Offset, int Length);

/// <summary>The arena and scratch of one run, typed per tensor. Holds only spans: building one allocates nothing.</summary>
internal readonly ref struct ArenaView(Span<byte> arena, Span<byte> scratch, TensorSlot[] slots)
{
    private readonly Span<byte> _arena = arena;

    public Span<byte> Scratch { get; } = scratch;

    public Span<byte> Bytes(int tensor)
    {
        var s = slots[tensor];
        return _arena.Slice(s.Offset, s.Length);
    }

    public Span<sbyte> Int8(int tensor) => MemoryMarshal.Cast<byte, sbyte>(Bytes(tensor));

    public Span<float> Float32(int tensor) => MemoryMarshal.Cast<byte, float>(Bytes(tensor));
}
