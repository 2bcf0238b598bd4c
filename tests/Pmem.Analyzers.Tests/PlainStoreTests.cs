namespace Pmem.Analyzers.Tests;

/// <summary>PMEM004: plain stores into memory from a PmemRegion.</summary>
public sealed class PlainStoreTests
{
    [Fact]
    public Task Every_kind_of_plain_store_is_reported() => Verify.AnalyzerAsync("""
        struct Pair { public ulong A; public ulong B; }

        class C
        {
            unsafe void M(PmemRegion region, byte[] data, int i)
            {
                Span<byte> span = region.Span;
                Span<byte> tail = span.Slice(64);
                {|PMEM004:span[i] = 1|};
                {|PMEM004:tail[0] += 1|};
                {|PMEM004:span[1]++|};
                {|PMEM004:data.AsSpan().CopyTo(tail)|};
                {|PMEM004:tail.Fill(0)|};
                {|PMEM004:region.Slice(0, 8).Clear()|};
                {|PMEM004:Unsafe.WriteUnaligned(ref span[8], 5UL)|};
                {|PMEM004:MemoryMarshal.Write(tail, 5UL)|};
                byte* p = region.Pointer + 16;
                {|PMEM004:*p = 1|};
                {|PMEM004:p[2] = 1|};
                ref ulong word = ref region.AsRef<ulong>(32);
                {|PMEM004:word = 2|};
                ref Pair pair = ref region.AsRef<Pair>(48);
                {|PMEM004:pair.B = 3|};
                {|PMEM004:region.AsRef<uint>(4) = 7|};
            }
        }
        """);

    [Fact]
    public Task Spans_passed_through_a_local_function_parameter() => Verify.AnalyzerAsync("""
        class C
        {
            void M(PmemRegion region)
            {
                Span<byte> header = region.Slice(0, 64);
                {|PMEM004:header[0] = 1|};
                Fill(region.Span);

                static void Fill(Span<byte> target) => target[0] = 1;
            }
        }
        """);

    [Fact]
    public Task Reads_volatile_memory_and_primitives_are_silent() => Verify.AnalyzerAsync("""
        class C
        {
            void M(PmemRegion region, byte[] data)
            {
                Span<byte> scratch = stackalloc byte[16];
                scratch[0] = region.Span[0];
                region.Span.Slice(0, 16).CopyTo(scratch);
                data[0] = region.Span[1];
                Span<byte> destination = region.Slice(64, 16);
                Persist.PmemMemcpy(destination, scratch);
                Persist.PmemAssign(ref region.AsRef<ulong>(0), 1UL);
                Persist.PmemFlush(region.Slice(0, 80));
                Persist.PmemCommit();
            }
        }
        """);
}
