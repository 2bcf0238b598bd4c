using Pmem.Analyzers.CodeFixes;

namespace Pmem.Analyzers.Tests;

/// <summary>The code fixes, one diagnostic at a time and with fix-all (the testing library runs both).</summary>
public sealed class CodeFixTests
{
    [Fact]
    public Task Flush_inserted_after_each_unflushed_write() => Verify.CodeFixAsync<InsertFlushCodeFix>("""
        class C
        {
            void M(Span<byte> a, PmemRegion region, byte[] data)
            {
                {|PMEM001:Persist.PmemMemcpy(a, data)|};
                {|PMEM001:Persist.PmemAssign(ref region.AsRef<ulong>(8), 1UL)|};
                Persist.PmemCommit();
            }
        }
        """, """
        class C
        {
            void M(Span<byte> a, PmemRegion region, byte[] data)
            {
                Persist.PmemMemcpy(a, data);
                Persist.PmemFlush(a);
                Persist.PmemAssign(ref region.AsRef<ulong>(8), 1UL);
                Persist.PmemFlush(MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref region.AsRef<ulong>(8), 1)));
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task One_commit_inserted_after_the_last_flush() => Verify.CodeFixAsync<InsertCommitCodeFix>("""
        class C
        {
            void M(Span<byte> a, Span<byte> b, byte[] data)
            {
                {|PMEM002:Persist.PmemMemcpy(a, data)|};
                {|PMEM002:Persist.PmemMemcpy(b, data)|};
                Persist.PmemFlush(a);
                Persist.PmemFlush(b);
                Console.WriteLine("done");
            }
        }
        """, """
        class C
        {
            void M(Span<byte> a, Span<byte> b, byte[] data)
            {
                Persist.PmemMemcpy(a, data);
                Persist.PmemMemcpy(b, data);
                Persist.PmemFlush(a);
                Persist.PmemFlush(b);
                Persist.PmemCommit();
                Console.WriteLine("done");
            }
        }
        """);

    [Fact]
    public Task Flush_and_commit_inserted_before_the_publish() => Verify.CodeFixAsync<CommitBeforePublishCodeFix>("""
        struct Header
        {
            [PmemPublish] public ulong Tail;
        }

        class C
        {
            void M(PmemRegion region, Span<byte> record, byte[] data)
            {
                ref Header header = ref region.AsRef<Header>(0);
                {|PMEM001:Persist.PmemMemcpy(record, data)|};
                {|PMEM005:Persist.PmemAssign(ref header.Tail, 1UL)|};
                Persist.PmemFlush(region.Slice(0, 8));
                Persist.PmemCommit();
            }
        }
        """, """
        struct Header
        {
            [PmemPublish] public ulong Tail;
        }

        class C
        {
            void M(PmemRegion region, Span<byte> record, byte[] data)
            {
                ref Header header = ref region.AsRef<Header>(0);
                Persist.PmemMemcpy(record, data);
                Persist.PmemFlush(record);
                Persist.PmemCommit();
                Persist.PmemAssign(ref header.Tail, 1UL);
                Persist.PmemFlush(region.Slice(0, 8));
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Plain_copy_and_store_replaced_with_primitives() => Verify.CodeFixAsync<UsePrimitiveStoreCodeFix>("""
        class C
        {
            void M(PmemRegion region, byte[] data)
            {
                Span<byte> body = region.Slice(64, 64);
                {|PMEM004:data.AsSpan().CopyTo(body)|};
                {|PMEM004:region.AsRef<ulong>(0) = 5|};
                Persist.PmemFlush(region.Slice(0, 128));
                Persist.PmemCommit();
            }
        }
        """, """
        class C
        {
            void M(PmemRegion region, byte[] data)
            {
                Span<byte> body = region.Slice(64, 64);
                Persist.PmemMemcpy(body, data.AsSpan());
                Persist.PmemAssign(ref region.AsRef<ulong>(0), 5);
                Persist.PmemFlush(region.Slice(0, 128));
                Persist.PmemCommit();
            }
        }
        """);
}
