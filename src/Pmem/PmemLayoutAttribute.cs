namespace Pmem;

/// <summary>
/// Declares a persistent structure once: a <c>partial struct</c> with <c>[StructLayout(LayoutKind.Explicit)]</c>
/// whose <c>[FieldOffset]</c> fields are the on-media layout (little-endian, as both supported CPUs are). The Pmem
/// generator checks at compile time that every field is aligned to its size (so <c>PmemAssign</c> on it is
/// failure-atomic) and adds <c>Size</c>, an <c>Offsets</c> class with each field's offset, <c>At</c> (a checked
/// reference into mapped memory) and <c>AsBytes</c> (the bytes of one instance, for <c>PmemFlush</c>).
/// </summary>
/// <example>
/// <code>
/// [PmemLayout]
/// [StructLayout(LayoutKind.Explicit, Size = 16)]
/// internal partial struct Entry
/// {
///     [FieldOffset(0)] public ulong OriginalSector;
///     [FieldOffset(8)] public ulong SeqCount;
/// }
///
/// ref Entry entry = ref Entry.At(region.Span, offset);
/// Persist.PmemAssign(ref entry.SeqCount, seq);
/// Persist.PmemFlush(Entry.AsBytes(ref entry));
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class PmemLayoutAttribute : Attribute;
