using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.HashBucketUnlink.Buggy;

// Removal from a chained hash table walks the chain with a reference to the link that points at the current node,
// then unlinks the node by storing its Next there. The link is flushed but the method returns before the fence:
// the caller frees the node while its unlinking may still be lost.
[StructLayout(LayoutKind.Explicit, Size = 24)]
internal struct Node
{
    [FieldOffset(0)] public ulong Key;
    [FieldOffset(8)] public ulong Value;
    [FieldOffset(16)] public ulong Next;
}

internal sealed class HashTable(PmemRegion region, int buckets)
{
    public bool Remove(ulong key)
    {
        ref ulong link = ref region.AsRef<ulong>((long)(key % (ulong)buckets) * sizeof(ulong));
        while (link != 0)
        {
            ref Node node = ref region.AsRef<Node>((long)link);
            if (node.Key == key)
            {
                Persist.PmemAssign(ref link, node.Next); // expect: PMEM002
                Persist.PmemFlush(MemoryMarshal.AsBytes(new Span<ulong>(ref link)));
                return true;
            }

            link = ref node.Next;
        }

        return false;
    }
}
