namespace Pmem.Analyzers.Tests;

public sealed class SmokeTests
{
    [Fact]
    public Task Unflushed_write_before_commit_is_reported() => Verify.AnalyzerAsync("""
        class C
        {
            void M(Span<byte> a, Span<byte> b, byte[] data)
            {
                {|PMEM001:Persist.PmemMemcpy(a, data)|};
                Persist.PmemCommit();
            }
        }
        """);
}
