using System.Runtime.InteropServices;

namespace Pmem.Tests;

/// <summary>A [PmemLayout] struct used over mapped memory with the primitives.</summary>
public sealed class LayoutTests : IDisposable
{
    private readonly TempFiles _files = TempFiles.OnTmpfs();

    [Fact]
    public void FieldsAreAssignedAtomicallyAtTheirDeclaredOffsets()
    {
        using PmemRegion region = PmemRegion.Create(_files.File("layout"), 4096, new PmemMapOptions { AllowEmulatedPmem = true });
        ref Header header = ref Header.At(region.Span, 128);
        Persist.PmemAssign(ref header.Magic, 0x23489321u);
        Persist.PmemAssign(ref header.SeqCount, 7UL);
        Persist.PmemFlush(Header.AsBytes(ref header));
        Persist.PmemCommit();

        Assert.Equal(16, Header.Size);
        Assert.Equal(8, Header.Alignment);
        Assert.Equal(8, Header.Offsets.SeqCount);
        Assert.Equal(0x23489321u, BitConverter.ToUInt32(region.Slice(128 + Header.Offsets.Magic, 4)));
        Assert.Equal(7UL, BitConverter.ToUInt64(region.Slice(128 + Header.Offsets.SeqCount, 8)));
        Assert.Equal(Header.Size, Header.AsBytes(ref header).Length);
    }

    [Fact]
    public void AtRefusesAStructThatDoesNotFitOrIsMisaligned()
    {
        using PmemRegion region = PmemRegion.Create(_files.File("layout"), 4096, new PmemMapOptions { AllowEmulatedPmem = true });
        Assert.Throws<ArgumentOutOfRangeException>(() => Header.At(region.Span, 4096 - 8));
        Assert.Throws<DataMisalignedException>(() => Header.At(region.Span, 4));
    }

    public void Dispose() => _files.Dispose();
}

[PmemLayout]
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal partial struct Header
{
    [FieldOffset(0)] public uint Magic;
    [FieldOffset(8)] public ulong SeqCount;
}
