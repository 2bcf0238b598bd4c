namespace Pmem.Analyzers.Tests;

/// <summary>PMEM006: a commit nothing reaches since the previous commit, a flush of a range already flushed and not written since.</summary>
public sealed class RedundantPrimitiveTests
{
    [Fact]
    public Task Second_commit_in_a_row() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, byte[] data)
            {
                Persist.PmemMemcpy(a, data);
                Persist.PmemFlush(a);
                Persist.PmemCommit();
                {|PMEM006:Persist.PmemCommit()|};
            }
        }
        """);

    [Fact]
    public Task Commit_after_commit_on_every_branch() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, byte[] data, bool first)
            {
                Persist.PmemMemcpy(a, data);
                Persist.PmemFlush(a);
                if (first)
                {
                    Persist.PmemCommit();
                }
                else
                {
                    Persist.PmemCommit();
                }

                {|PMEM006:Persist.PmemCommit()|};
            }
        }
        """);

    [Fact]
    public Task Flush_twice_without_a_write_between() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, byte[] data)
            {
                Persist.PmemMemcpy(a, data);
                Persist.PmemFlush(a);
                {|PMEM006:Persist.PmemFlush(a)|};
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Needed_primitives_are_silent() => Verify.AnalyzerAsync("""
        class C
        {
            void CommitForTheCaller() => Persist.PmemCommit();

            void FlushForTheCaller(Span<byte> a) => Persist.PmemFlush(a);

            void Loop(Span<byte> a, byte[] data, int n)
            {
                for (int i = 0; i < n; i++)
                {
                    Persist.PmemMemcpy(a, data);
                    Persist.PmemFlush(a);
                    Persist.PmemCommit();
                }
            }

            void AfterPlainCopy(Span<byte> a, byte[] data)
            {
                Persist.PmemFlush(a);
                data.CopyTo(a);
                Persist.PmemFlush(a);
                Persist.PmemCommit();
            }

            void OnSomePaths(Span<byte> a, byte[] data, bool write)
            {
                Persist.PmemCommit();
                if (write)
                {
                    Persist.PmemMemcpy(a, data);
                    Persist.PmemFlush(a);
                }

                Persist.PmemCommit();
            }
        }
        """);
}
