using Pmem;

namespace Corpus.HashBucketInsert.Buggy;

// A chained hash table: an array of bucket heads (node offsets) at the start of the region, nodes elsewhere. Insert
// fills the node and links it at its bucket's head; the link is stored before the node's flush is fenced, so a crash
// can leave a bucket pointing at a node whose key and next link never reached the media.
internal sealed class HashTable(PmemRegion region, int buckets)
{
    public void Insert(long nodeOffset, ulong key, ulong value)
    {
        ref HashNode node = ref region.AsRef<HashNode>(nodeOffset);
        Persist.PmemAssign(ref node.Key, key);
        Persist.PmemAssign(ref node.Value, value);
        Persist.PmemAssign(ref node.Next, Bucket(key));
        Persist.PmemFlush(region.Slice(nodeOffset, 24));
        Persist.PmemAssign(ref Bucket(key), (ulong)nodeOffset); // expect: PMEM005
        Persist.PmemFlush(region.Slice(BucketOffset(key), 8));
        Persist.PmemCommit();
    }

    [PmemPublish]
    private ref ulong Bucket(ulong key) => ref region.AsRef<ulong>(BucketOffset(key));

    private long BucketOffset(ulong key) => (long)(key % (ulong)buckets) * sizeof(ulong);
}
