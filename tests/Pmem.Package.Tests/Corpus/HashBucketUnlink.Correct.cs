using System.Runtime.InteropServices;
using Pmem;

namespace Corpus.HashBucketUnlink.Correct;

// The chained hash table's removal with the unlinking fenced before the method returns (and the node is freed).
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
