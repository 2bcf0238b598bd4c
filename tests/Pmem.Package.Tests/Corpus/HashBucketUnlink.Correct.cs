using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.HashBucketUnlink.Correct;

// The chained hash table's removal with the unlinking fenced before the method returns (and the node is freed).
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
                Persist.PmemAssign(ref link, node.Next);
                Persist.PmemFlush(MemoryMarshal.AsBytes(new Span<ulong>(ref link)));
                Persist.PmemCommit();
                return true;
            }

            link = ref node.Next;
        }

        return false;
    }
}
