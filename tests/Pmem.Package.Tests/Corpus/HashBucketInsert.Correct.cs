using Pmem;

namespace Corpus.HashBucketInsert.Correct;

// The chained hash table with the node fenced before the bucket head links it.
internal sealed class HashTable(PmemRegion region, int buckets)
{
    public void Insert(long nodeOffset, ulong key, ulong value)
    {
        ref HashNode node = ref region.AsRef<HashNode>(nodeOffset);
        Persist.PmemAssign(ref node.Key, key);
        Persist.PmemAssign(ref node.Value, value);
        Persist.PmemAssign(ref node.Next, Bucket(key));
        Persist.PmemFlush(region.Slice(nodeOffset, 24));
        Persist.PmemCommit();
        Persist.PmemAssign(ref Bucket(key), (ulong)nodeOffset);
        Persist.PmemFlush(region.Slice(BucketOffset(key), 8));
        Persist.PmemCommit();
    }

    [PmemPublish]
    private ref ulong Bucket(ulong key) => ref region.AsRef<ulong>(BucketOffset(key));

    private long BucketOffset(ulong key) => (long)(key % (ulong)buckets) * sizeof(ulong);
}
