using System.Runtime.InteropServices;

namespace Pmem.Testing.Tests.Protocols;

/// <summary>
/// A 16-byte record — a version number and a value derived from it — that readers must always see whole: the
/// classic "atomic 16-byte update". Two ways to update it: one 16-byte copy, which pmem does not make failure-atomic,
/// and the correct one, two slots and a failure-atomic 8-byte selector.
/// </summary>
internal static class VersionedRecord
{
    public const int Size = 16;

    private const int InPlaceOffset = 0;
    private const int SelectorOffset = 0;
    private const int FirstSlotOffset = 64;
    private const int SecondSlotOffset = 128;

    /// <summary>Overwrites the record in place with a single 16-byte <c>PmemMemcpy</c>: torn by a crash.</summary>
    public static void UpdateInPlace(Span<byte> pmem, ulong version)
    {
        Span<byte> record = pmem.Slice(InPlaceOffset, Size);
        SimPersist.PmemMemcpy(record, Encode(version));
        SimPersist.PmemFlush(record);
        SimPersist.PmemCommit();
    }

    /// <summary>Reads the record written by <see cref="UpdateInPlace"/>.</summary>
    public static ulong ReadInPlace(ReadOnlySpan<byte> image) => Decode(image.Slice(InPlaceOffset, Size));

    /// <summary>Writes the slot not in use, makes it durable, then switches the 8-byte selector to it.</summary>
    public static void UpdateShadowed(Span<byte> pmem, ulong version)
    {
        ref ulong selector = ref MemoryMarshal.Cast<byte, ulong>(pmem.Slice(SelectorOffset, sizeof(ulong)))[0];
        ulong inactive = selector == 1 ? 0UL : 1UL;
        Span<byte> slot = pmem.Slice(inactive == 0 ? FirstSlotOffset : SecondSlotOffset, Size);
        SimPersist.PmemMemcpy(slot, Encode(version));
        SimPersist.PmemFlush(slot);
        SimPersist.PmemCommit();
        SimPersist.PmemAssign(ref selector, inactive);
        SimPersist.PmemFlush(MemoryMarshal.AsBytes(new Span<ulong>(ref selector)));
        SimPersist.PmemCommit();
    }

    /// <summary>Reads the record written by <see cref="UpdateShadowed"/>.</summary>
    public static ulong ReadShadowed(ReadOnlySpan<byte> image)
    {
        ulong selector = MemoryMarshal.Read<ulong>(image[SelectorOffset..]);
        return Decode(image.Slice(selector == 0 ? FirstSlotOffset : SecondSlotOffset, Size));
    }

    private static byte[] Encode(ulong version)
    {
        byte[] record = new byte[Size];
        MemoryMarshal.Write(record, in version);
        MemoryMarshal.Write(record.AsSpan(sizeof(ulong)), Derived(version));
        return record;
    }

    /// <summary>The version, or an exception if the two halves do not belong together.</summary>
    private static ulong Decode(ReadOnlySpan<byte> record)
    {
        ulong version = MemoryMarshal.Read<ulong>(record);
        ulong derived = MemoryMarshal.Read<ulong>(record[sizeof(ulong)..]);
        if (derived != Derived(version))
        {
            throw new InvalidDataException($"Torn record: version {version} with the value of another version (0x{derived:x16}).");
        }

        return version;
    }

    /// <summary>Zero for version 0, so a zeroed region holds a valid record.</summary>
    private static ulong Derived(ulong version) => version * 0x9E3779B97F4A7C15UL;
}
