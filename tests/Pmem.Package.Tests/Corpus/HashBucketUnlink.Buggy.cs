using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.HashBucketUnlink.Buggy;

// Removal from a chained hash table walks the chain with a reference to the link that points at the current node,
// then unlinks the node by storing its Next there. The link is flushed but the method returns before the fence:
// the caller frees the node while its unlinking may still be lost.
internal sealed class HashTable(PmemRegion region, int buckets)
{
    public bool Remove(ulong key)
    {
        ref ulong link = ref region.AsRef<ulong>((long)(key % (ulong)buckets) * sizeof(ulong));
        while (link != 0)
        {
            ref HashNode node = ref region.AsRef<HashNode>((long)link);
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
