namespace Pmem.Analyzers.Tests;

/// <summary>PMEM003: PmemAssign on a location provably not aligned to its size.</summary>
public sealed class MisalignedAssignTests
{
    private const string Layouts = """
        [StructLayout(LayoutKind.Explicit, Size = 16)]
        struct Header
        {
            [FieldOffset(0)] public uint Magic;
            [FieldOffset(4)] public ulong Torn;
            [FieldOffset(8)] public ulong Fine;
            [FieldOffset(12)] public ushort Small;
        }

        [StructLayout(LayoutKind.Sequential, Pack = 1)]
        struct Packed
        {
            public byte Tag;
            public uint Value;
            public byte Pad1;
            public byte Pad2;
            public byte Pad3;
            public uint Aligned;
        }

        """;

    [Fact]
    public Task Fields_at_misaligned_offsets() => Verify.AnalyzerAsync(Layouts + """
        class C
        {
            void M(PmemRegion region)
            {
                ref Header header = ref region.AsRef<Header>(0);
                {|PMEM003:Persist.PmemAssign(ref header.Torn, 1UL)|};
                Persist.PmemAssign(ref header.Fine, 1UL);
                Persist.PmemAssign(ref header.Magic, 1U);
                Persist.PmemAssign(ref header.Small, (ushort)1);
                Persist.PmemFlush(region.Slice(0, 16));
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Fields_of_a_packed_struct() => Verify.AnalyzerAsync(Layouts + """
        class C
        {
            void M(PmemRegion region)
            {
                ref Packed packed = ref region.AsRef<Packed>(0);
                {|PMEM003:Persist.PmemAssign(ref packed.Value, 1U)|};
                Persist.PmemAssign(ref packed.Aligned, 1U);
                Persist.PmemAssign(ref packed.Tag, (byte)1);
                Persist.PmemFlush(region.Slice(0, 12));
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Misaligned_constant_offsets_reinterpreted() => Verify.AnalyzerAsync("""
        class C
        {
            unsafe void M(PmemRegion region)
            {
                {|PMEM003:Persist.PmemAssign(ref Unsafe.As<byte, ulong>(ref region.Span[3]), 1UL)|};
                {|PMEM003:Persist.PmemAssign(ref MemoryMarshal.AsRef<uint>(region.Span.Slice(6)), 1U)|};
                {|PMEM003:Persist.PmemAssign(ref region.AsRef<long>(12), 1L)|};
                {|PMEM003:Persist.PmemAssign(ref Unsafe.AsRef<ulong>(region.Pointer + 4), 1UL)|};
                Persist.PmemAssign(ref Unsafe.As<byte, ulong>(ref region.Span[16]), 1UL);
                Persist.PmemAssign(ref region.AsRef<long>(24), 1L);
                Persist.PmemAssign(ref Unsafe.Add(ref region.AsRef<ulong>(0), 5), 1UL);
                Persist.PmemFlush(region.Span);
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Unknown_offsets_and_bases_are_not_reported() => Verify.AnalyzerAsync("""
        class C
        {
            void M(PmemRegion region, Span<byte> unknownBase, long offset)
            {
                Persist.PmemAssign(ref region.AsRef<ulong>(offset), 1UL);
                Persist.PmemAssign(ref Unsafe.As<byte, ulong>(ref unknownBase[3]), 1UL);
                Persist.PmemFlush(region.Span);
                Persist.PmemFlush(unknownBase);
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Constant_offsets_kept_through_ref_locals() => Verify.AnalyzerAsync("""
        class C
        {
            void M(PmemRegion region)
            {
                ref uint g = ref MemoryMarshal.AsRef<uint>(region.Span.Slice(6));
                ref ulong s = ref Unsafe.AddByteOffset(ref region.AsRef<ulong>(0), (nint)20);
                ref ulong x = ref region.AsRef<ulong>(12);
                ref ulong fine = ref region.AsRef<ulong>(16);
                {|PMEM003:Persist.PmemAssign(ref g, 1U)|};
                {|PMEM003:Persist.PmemAssign(ref s, 1UL)|};
                {|PMEM003:Persist.PmemAssign(ref x, 1UL)|};
                {|PMEM003:Persist.PmemAssign(ref x, 2UL)|};
                Persist.PmemAssign(ref fine, 1UL);
                Persist.PmemFlush(region.Span);
                Persist.PmemCommit();
            }
        }
        """);

    [Fact]
    public Task Ref_local_reassigned_by_ref_keeps_no_stale_offset() => Verify.AnalyzerAsync("""
        class C
        {
            void M(PmemRegion region, bool second)
            {
                ref ulong x = ref region.AsRef<ulong>(12);
                if (second)
                {
                    x = ref region.AsRef<ulong>(16);
                }

                Persist.PmemAssign(ref x, 1UL);
                Persist.PmemFlush(region.Span);
                Persist.PmemCommit();
            }
        }
        """);
}
