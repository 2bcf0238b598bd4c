using Pmem.CompilerServices;

namespace Pmem.Tests;

/// <summary>The msync-at-commit path that keeps the primitives correct on ordinary (page-granularity) files.</summary>
/// <remarks>
/// The synced-byte counter is process-wide: a page-granularity commit of another test class running at the same time
/// adds to it (seen under qemu-aarch64: 1004 bytes more). The class runs alone, after the parallel ones.
/// </remarks>
[Collection(nameof(PageGranularityTests))]
public sealed class PageGranularityTests : IDisposable
{
    private readonly TempFiles _files = TempFiles.OnTmpfs();

    [Fact]
    public void CommitSyncsExactlyThePagesFlushedSinceTheLastCommit()
    {
        using PmemRegion region = PmemRegion.Create(_files.File("page"), 64 << 10);
        Assert.Equal(PersistenceGranularity.Page, region.Granularity);
        long before = PageGranularitySync.SyncedBytes;

        Persist.PmemMemcpy(region.Slice(5000, 100), new byte[100]);
        Persist.PmemFlush(region.Slice(5000, 100));
        Persist.PmemMemcpy(region.Slice(5100, 8000), new byte[8000]);
        Persist.PmemFlush(region.Slice(5100, 8000));
        Persist.PmemCommit();

        // [5000, 13100) lies in pages 1..3: msync starts at the page boundary 4096 and ends at the last byte flushed.
        Assert.Equal(13100 - 4096, PageGranularitySync.SyncedBytes - before);

        long afterFirst = PageGranularitySync.SyncedBytes;
        Persist.PmemCommit();
        Assert.Equal(afterFirst, PageGranularitySync.SyncedBytes);
    }

    [Fact]
    public void FlushesOutsideAnyPageMappingAreNotTracked()
    {
        using PmemRegion page = PmemRegion.Create(_files.File("page"), 8192);
        using PmemRegion emulated = PmemRegion.Create(_files.File("emulated"), 8192, new PmemMapOptions { AllowEmulatedPmem = true });
        long before = PageGranularitySync.SyncedBytes;
        byte[] heap = new byte[256];

        Persist.PmemFlush(heap);
        Persist.PmemFlush(emulated.Slice(0, 4096));
        Persist.PmemCommit();

        Assert.Equal(before, PageGranularitySync.SyncedBytes);
    }

    [Fact]
    public void CommittedDataIsInTheFileForOtherReaders()
    {
        string path = _files.File("shared");
        using PmemRegion region = PmemRegion.Create(path, 8192);
        byte[] data = [.. Enumerable.Range(1, 200).Select(i => (byte)i)];
        Persist.PmemMemcpy(region.Slice(4000, 200), data);
        Persist.PmemFlush(region.Slice(4000, 200));
        Persist.PmemCommit();

        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        byte[] read = new byte[200];
        reader.Position = 4000;
        reader.ReadExactly(read);
        Assert.Equal(data, read);
    }

    public void Dispose() => _files.Dispose();
}

/// <summary>Runs <see cref="PageGranularityTests"/> with no other test class in parallel.</summary>
[CollectionDefinition(nameof(PageGranularityTests), DisableParallelization = true)]
public sealed class PageGranularityCollection;
