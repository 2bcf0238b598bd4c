namespace Pmem.Analyzers.Tests;

/// <summary>PMEM005: assigning a [PmemPublish] location while an earlier write is not yet flushed and committed.</summary>
public sealed class PublishTests
{
    private const string Superblock = """
        [StructLayout(LayoutKind.Explicit, Size = 16)]
        struct Superblock
        {
            [FieldOffset(0)] public ulong Count;
            [FieldOffset(8)] [PmemPublish] public ulong SeqCount;
        }

        """;

    [Fact]
    public Task Publish_before_commit() => Verify.AnalyzerAsync(Superblock + """
        class C
        {
            void M(PmemRegion region, byte[] data)
            {
                ref Superblock sb = ref region.AsRef<Superblock>(0);
                Span<byte> block = region.Slice(4096, 4096);
                Persist.PmemMemcpy(block, data);
                Persist.PmemFlush(block);
                {|PMEM005:Persist.PmemAssign(ref sb.SeqCount, 2UL)|};
                Persist.PmemFlush(region.Slice(0, 16));
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Publish_when_one_branch_skipped_the_commit() => Verify.AnalyzerAsync(Superblock + """
        class C
        {
            void M(PmemRegion region, byte[] data, bool fast)
            {
                ref Superblock sb = ref region.AsRef<Superblock>(0);
                Span<byte> block = region.Slice(4096, 4096);
                Persist.PmemMemcpy(block, data);
                Persist.PmemFlush(block);
                if (!fast)
                {
                    Persist.PmemCommit();
                }

                {|PMEM005:Persist.PmemAssign(ref sb.SeqCount, 2UL)|};
                Persist.PmemFlush(region.Slice(0, 16));
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Publish_after_caller_commits_write() => Verify.AnalyzerAsync(Superblock + """
        class C
        {
            [PmemCallerCommits]
            void CopyIn(PmemRegion region, byte[] data)
            {
                Span<byte> block = region.Slice(4096, 4096);
                Persist.PmemMemcpy(block, data);
                Persist.PmemFlush(block);
            }

            void M(PmemRegion region, byte[] data)
            {
                CopyIn(region, data);
                {|PMEM005:Persist.PmemAssign(ref region.AsRef<Superblock>(0).SeqCount, 2UL)|};
                Persist.PmemFlush(region.Slice(0, 16));
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Publish_property_and_ref_method_in_a_loop() => Verify.AnalyzerAsync("""
        class Log
        {
            private readonly PmemRegion _region;

            public Log(PmemRegion region) => _region = region;

            [PmemPublish]
            public ref ulong Tail => ref _region.AsRef<ulong>(0);

            [PmemPublish]
            public ref ulong Head() => ref _region.AsRef<ulong>(8);

            public void Append(byte[] data, int n)
            {
                for (int i = 0; i < n; i++)
                {
                    Span<byte> record = _region.Slice(64 + (i * 64), 64);
                    Persist.PmemMemcpy(record, data);
                    Persist.PmemFlush(record);
                    {|PMEM005:Persist.PmemAssign(ref Tail, (ulong)i)|};
                    Persist.PmemFlush(_region.Slice(0, 8));
                    Persist.PmemCommit();
                }

                Persist.PmemAssign(ref Head(), 1UL);
                Persist.PmemFlush(_region.Slice(8, 8));
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Publish_after_flush_and_commit_is_silent() => Verify.AnalyzerAsync(Superblock + """
        class C
        {
            async Task M(PmemRegion region, byte[] data)
            {
                Persist.PmemMemcpy(region.Slice(4096, 4096), data);
                Persist.PmemFlush(region.Slice(4096, 4096));
                Persist.PmemCommit();
                await Task.Yield();
                Persist.PmemAssign(ref region.AsRef<Superblock>(0).SeqCount, 2UL);
                Persist.PmemFlush(region.Slice(0, 16));
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Publish_after_a_commit_that_came_before_the_flush() => Verify.AnalyzerAsync(Superblock + """
        class C
        {
            void M(PmemRegion region, byte[] data)
            {
                ref Superblock sb = ref region.AsRef<Superblock>(0);
                Span<byte> block = region.Slice(4096, 4096);
                {|PMEM001:Persist.PmemMemcpy(block, data)|};
                Persist.PmemCommit();
                {|PMEM005:Persist.PmemAssign(ref sb.SeqCount, 2UL)|};
                Persist.PmemFlush(region.Slice(0, 16));
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Publish_after_the_late_flush_is_committed_is_silent() => Verify.AnalyzerAsync(Superblock + """
        class C
        {
            void M(PmemRegion region, byte[] data)
            {
                ref Superblock sb = ref region.AsRef<Superblock>(0);
                Span<byte> block = region.Slice(4096, 4096);
                {|PMEM001:Persist.PmemMemcpy(block, data)|};
                Persist.PmemCommit();
                Persist.PmemFlush(block);
                Persist.PmemCommit();
                Persist.PmemAssign(ref sb.SeqCount, 2UL);
                Persist.PmemFlush(region.Slice(0, 16));
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Publish_after_the_late_flush_but_before_its_commit() => Verify.AnalyzerAsync(Superblock + """
        class C
        {
            void M(PmemRegion region, byte[] data, int count)
            {
                ref Superblock sb = ref region.AsRef<Superblock>(0);
                Span<byte> block = region.Slice(4096, 4096);
                for (int i = 0; i < count; i++)
                {
                    {|PMEM001:Persist.PmemMemcpy(block, data)|};
                    Persist.PmemCommit();
                    Persist.PmemFlush(block);
                    {|PMEM005:Persist.PmemAssign(ref sb.SeqCount, (ulong)i)|};
                    Persist.PmemFlush(region.Slice(0, 16));
                    Persist.PmemCommit();
                }
            }
        }
        """);
}
