using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Edge.Runtime.Kernels;

/// <summary>
/// An array of <typeparamref name="T"/> whose first element sits on a 64-byte boundary (a cache line, one AVX-512 vector),
/// in the pinned object heap so that it never moves. Packed weights live here: the GEMM tiles read each weight quad as
/// one 64-byte load, and a managed array starts wherever the allocator put it (8-byte aligned), so in some processes
/// every such load would split across two cache lines and in others none would. (ResNet-18's run-to-run spread on the
/// Zen 5 machine, 5.1 against 6.2–6.7 ms, stayed after this change: that was the machine; bench/RESULTS.md, seventh session.)
/// </summary>
internal sealed class AlignedArray<T> where T : unmanaged
{
    /// <summary>The alignment of the first element, in bytes.</summary>
    public const int Alignment = 64;

    private readonly T[] _storage;
    private readonly int _start;

    public unsafe AlignedArray(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int slack = (Alignment + sizeof(T) - 1) / sizeof(T);
        _storage = GC.AllocateArray<T>(length + slack, pinned: true);
        long address = (long)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage));
        _start = (int)((Alignment - address % Alignment) % Alignment / sizeof(T));
        Length = length;
    }

    /// <summary>A copy of <paramref name="values"/>, aligned.</summary>
    public AlignedArray(ReadOnlySpan<T> values) : this(values.Length) => values.CopyTo(Span);

    public int Length { get; }

    /// <summary>The elements, from the aligned first one.</summary>
    public Span<T> Span => MemoryMarshal.CreateSpan(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_storage), _start), Length);

    public ref T this[int index] => ref Span[index];
}
