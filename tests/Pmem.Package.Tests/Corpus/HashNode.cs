using System.Runtime.InteropServices;

namespace Corpus;

/// <summary>A node of the chained hash tables of the corpus, as laid out in pmem: key, value, the next node's offset.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
internal struct HashNode
{
    [FieldOffset(0)] public ulong Key;
    [FieldOffset(8)] public ulong Value;
    [FieldOffset(16)] public ulong Next;
}
