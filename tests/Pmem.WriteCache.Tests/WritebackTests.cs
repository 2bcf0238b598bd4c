using Pmem.TestSupport;
using Pmem.BlockDevices;

namespace Pmem.WriteCache.Tests;

/// <summary>Writeback (watermarks, merging, max_age, cleaner, flush message), suspend/resume and the error state.</summary>
public sealed class WritebackTests
{
    [Theory]
    [MemberData(nameof(RequestTests.Modes), MemberType = typeof(RequestTests))]
    public async Task FlushMessageWritesEverythingBackInMergedSortedRuns(WriteCacheMode mode)
    {
        using var media = new TestMedia();
        var origin = new FaultyBlockDevice(64 * Caches.MiB);
        WriteCacheDevice cache = await RequestTests.Open(media, mode, origin);
        foreach (int block in new[] { 9, 3, 4, 5, 8, 1 })
        {
            await cache.WriteAsync(block * 4096L, Blocks.Make(block, 1));
        }

        await cache.SendMessageAsync("FLUSH");
        Assert.Equal(cache.BlockCount, cache.GetStatus().FreeBlocks);
        foreach (int block in new[] { 9, 3, 4, 5, 8, 1 })
        {
            Assert.Equal(Blocks.Make(block, 1), origin.Contents.Slice(block * 4096, 4096).ToArray());
        }

        // Pmem merges consecutive origin sectors; ssd also needs consecutive cache blocks (3,4,5 were written in a row).
        long[] starts = [.. origin.WriteLog.Select(w => w.Offset / 4096)];
        if (mode == WriteCacheMode.Pmem)
        {
            // Submitted in sector order; ssd runs first read the cache device, so they may reach the origin in any order.
            Assert.Equal(starts.Order(), starts);
        }

        // pmem: {1} {3,4,5} {8,9}; ssd cache positions 9:0 3:1 4:2 5:3 8:4 1:5, so 8 and 9 are not adjacent in the cache.
        Assert.Equal(mode == WriteCacheMode.Pmem ? 3 : 4, starts.Length);
        Assert.Contains(origin.WriteLog, w => w.Offset == 3 * 4096 && w.Length == 3 * 4096);
        Assert.Equal(mode == WriteCacheMode.Pmem, origin.WriteLog.All(w => w.Flags == BlockWriteFlags.ForceUnitAccess));
        await cache.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FuaWritebackToAnOriginWithoutFuaWritesTheRunsThenFlushesOnce(bool originHasFua)
    {
        using var media = new TestMedia();
        var origin = new FaultyBlockDevice(64 * Caches.MiB) { WithoutFua = !originHasFua };
        (WriteCacheDevice cache, _) = await Caches.Pmem(media, origin, 16 * Caches.MiB, new WriteCacheOptions(WriteCacheMode.Pmem) { Fua = true });
        foreach (int block in new[] { 9, 3, 5, 1 })
        {
            await cache.WriteAsync(block * 4096L, Blocks.Make(block, 1));
        }

        await cache.SendMessageAsync("flush");
        Assert.Equal(4, origin.Writes);
        Assert.Equal(originHasFua, origin.WriteLog.All(w => w.Flags == BlockWriteFlags.ForceUnitAccess));
        // Without FUA of its own, one flush after the runs, before the entries are freed; with it, none is needed.
        Assert.Equal(originHasFua ? 0 : 1, origin.Flushes);
        Assert.Equal(cache.BlockCount, cache.GetStatus().FreeBlocks);
        await cache.DisposeAsync();
    }

    [Fact]
    public async Task WritebackStartsAtTheHighWatermarkAndStopsAtTheLowOne()
    {
        using var media = new TestMedia();
        var origin = new MemoryBlockDevice(64 * Caches.MiB);
        // 1 MiB: 254 blocks; high 50 -> writeback when free <= 127, low 40 -> continue while free <= 152.
        (WriteCacheDevice cache, _) = await Caches.Pmem(media, origin, Caches.MiB, new WriteCacheOptions(WriteCacheMode.Pmem) { HighWatermark = 50, LowWatermark = 40 });
        Assert.Equal(254, cache.BlockCount);
        // Every other block: consecutive blocks would merge into one run and be written back together.
        for (int block = 0; block < 126; block++)
        {
            await cache.WriteAsync(block * 8192L, Blocks.Make(block * 2, 1));
        }

        await cache.FlushAsync();
        await cache.WhenWritebackIdle(); // a kick at the watermark would be pending until its pass completed
        Assert.Equal(128, cache.GetStatus().FreeBlocks); // above the high watermark: nothing written back
        for (int block = 126; block < 140; block++)
        {
            await cache.WriteAsync(block * 8192L, Blocks.Make(block * 2, 1));
        }

        await cache.FlushAsync();
        await cache.WhenWritebackIdle();

        WriteCacheStatus status = cache.GetStatus();
        // Writeback ran (free is back above the high watermark; each pass stops once free + in flight pass the low
        // one, counted when the pass ran, possibly while the writes went on) and did not empty the cache.
        Assert.InRange(status.FreeBlocks, 128, 153 + 64);
        Assert.Equal(Blocks.Make(0, 1), origin.Contents[..4096].ToArray()); // the oldest went first
        Assert.Equal(Blocks.Make(278, 1), await Blocks.Read(cache, 278));
        await cache.DisposeAsync();
    }

    [Fact]
    public async Task MaxAgeWritesBackOldBlocksAndCleanerSendsNewWritesAround()
    {
        using var media = new TestMedia();
        var origin = new MemoryBlockDevice(64 * Caches.MiB);
        (WriteCacheDevice cache, _) = await Caches.Pmem(media, origin, options: new WriteCacheOptions(WriteCacheMode.Pmem) { MaxAge = TimeSpan.FromMilliseconds(100) });
        await cache.WriteAsync(0, Blocks.Make(0, 1), BlockWriteFlags.ForceUnitAccess);
        await Eventually.UntilAsync(() => cache.GetStatus().FreeBlocks == cache.BlockCount, TimeSpan.FromSeconds(10), "max_age wrote the block back");

        Assert.Equal(cache.BlockCount, cache.GetStatus().FreeBlocks);
        Assert.Equal(Blocks.Make(0, 1), origin.Contents[..4096].ToArray());

        await cache.WriteAsync(4096, Blocks.Make(1, 1));
        await cache.SendMessageAsync("cleaner");
        await cache.WriteAsync(2 * 4096, Blocks.Make(2, 1)); // not cached: around
        await cache.WriteAsync(4096, Blocks.Make(1, 2));     // cached: stays in the cache (no misordered writes)
        Assert.Equal(Blocks.Make(2, 1), origin.Contents.Slice(2 * 4096, 4096).ToArray());
        // Block 1 itself may already have been cleaned by then and gone around too.
        Assert.InRange(cache.GetStatus().Statistics.WritesAround, 1UL, 2UL);
        Assert.DoesNotContain("cleaner", cache.Table.ToString(), StringComparison.Ordinal); // a message does not change the table
        await cache.WhenWritebackIdle(); // cleaner writeback runs until the cache is clean

        Assert.Equal(Blocks.Make(1, 2), origin.Contents.Slice(4096, 4096).ToArray());
        await cache.DisposeAsync();
    }

    [Fact]
    public async Task FlushOnSuspendWritesBackAndSuspendedCachesRefuseTheFlushMessage()
    {
        using var media = new TestMedia();
        var origin = new MemoryBlockDevice(64 * Caches.MiB);
        (WriteCacheDevice cache, _) = await Caches.Pmem(media, origin);
        await cache.WriteAsync(0, Blocks.Make(0, 1));
        await cache.SendMessageAsync("flush_on_suspend");
        await cache.SuspendAsync();
        Assert.Equal(Blocks.Make(0, 1), origin.Contents[..4096].ToArray());
        Assert.Equal(LinuxErrno.EBUSY, (await Assert.ThrowsAsync<WriteCacheMessageException>(() => cache.SendMessageAsync("flush"))).Errno);
        // A pmem-mode write completes synchronously unless the suspend gate holds it; only the resume below opens it.
        Task pendingWrite = cache.WriteAsync(4096, Blocks.Make(1, 1)).AsTask();
        Assert.False(pendingWrite.IsCompleted); // held while suspended
        await cache.ResumeAsync();
        await pendingWrite;
        Assert.Equal(Blocks.Make(1, 1), await Blocks.Read(cache, 1));
        await cache.DisposeAsync();
    }

    [Fact]
    public async Task MessagesFailAsTheKernelsDo()
    {
        using var media = new TestMedia();
        (WriteCacheDevice cache, _) = await Caches.Pmem(media, new MemoryBlockDevice(64 * Caches.MiB));
        var unknown = await Assert.ThrowsAsync<WriteCacheMessageException>(() => cache.SendMessageAsync("frobnicate"));
        Assert.Equal((LinuxErrno.EINVAL, "unrecognised message received: frobnicate"), (unknown.Errno, unknown.Message));
        Assert.Equal(LinuxErrno.EINVAL, (await Assert.ThrowsAsync<WriteCacheMessageException>(() => cache.SendMessageAsync("flush now"))).Errno);
        await cache.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(RequestTests.Modes), MemberType = typeof(RequestTests))]
    public async Task AnOriginWriteErrorStopsTheCacheButKeepsCommittedData(WriteCacheMode mode)
    {
        using var media = new TestMedia();
        var origin = new FaultyBlockDevice(64 * Caches.MiB);
        WriteCacheDevice cache = await RequestTests.Open(media, mode, origin);
        await cache.WriteAsync(0, Blocks.Make(0, 1), BlockWriteFlags.ForceUnitAccess);
        origin.FailWrites = true;
        var failed = await Assert.ThrowsAsync<WriteCacheMessageException>(() => cache.SendMessageAsync("flush"));
        Assert.Equal(LinuxErrno.EIO, failed.Errno);
        WriteCacheStatus status = cache.GetStatus();
        // The kernel prints writecache_has_error(wc), 0 or 1, not the errno.
        Assert.StartsWith("1 ", status.ToString(), StringComparison.Ordinal);
        Assert.Equal(-LinuxErrno.EIO, status.Errno);
        Assert.Equal(cache.BlockCount - 1, status.FreeBlocks);
        await Assert.ThrowsAsync<BlockDeviceException>(() => cache.WriteAsync(4096, Blocks.Make(1, 1)).AsTask());
        await Assert.ThrowsAsync<BlockDeviceException>(() => cache.FlushAsync().AsTask());
        Assert.Equal(Blocks.Make(0, 1), await Blocks.Read(cache, 0)); // reads still served from the cache
        Assert.Contains("write error", cache.ErrorMessage, StringComparison.Ordinal);
        await cache.DisposeAsync();
    }

    [Fact]
    public async Task AnSsdDataWriteErrorFailsThatWriteOnlyAndAMetadataWriteErrorStopsTheCache()
    {
        var device = new FaultyBlockDevice(16 * Caches.MiB);
        WriteCacheDevice cache = await Caches.Ssd(new MemoryBlockDevice(64 * Caches.MiB), device);
        await cache.WriteAsync(0, Blocks.Make(0, 1), BlockWriteFlags.ForceUnitAccess);
        device.FailWrites = true;
        await Assert.ThrowsAsync<BlockDeviceException>(() => cache.WriteAsync(4096, Blocks.Make(1, 1)).AsTask());
        // The kernel fails the remapped bio only; it counted the write before remapping it.
        WriteCacheStatus status = cache.GetStatus();
        Assert.Equal((false, 2UL, 2UL), (status.HasError, status.Statistics.Writes, status.Statistics.WritesAllocate));

        device.FailWrites = false;
        await cache.WriteAsync(2 * 4096, Blocks.Make(2, 1));
        Assert.Equal(Blocks.Make(2, 1), await Blocks.Read(cache, 2));
        device.FailWrites = true;
        await Assert.ThrowsAsync<BlockDeviceException>(() => cache.FlushAsync().AsTask()); // the metadata write fails
        status = cache.GetStatus();
        Assert.Equal((true, -LinuxErrno.EIO), (status.HasError, status.Errno));
        Assert.StartsWith("1 ", status.ToString(), StringComparison.Ordinal);
        device.FailWrites = false;
        Assert.Equal(Blocks.Make(0, 1), await Blocks.Read(cache, 0));
        await cache.DisposeAsync();
    }

    [Fact]
    public async Task WatermarkWritebackIssuesRunsInSelectionOrder()
    {
        using var media = new TestMedia();
        var origin = new FaultyBlockDevice(64 * Caches.MiB);
        (WriteCacheDevice cache, _) = await Caches.Pmem(media, origin);
        foreach (int block in new[] { 9, 3, 1 })
        {
            await cache.WriteAsync(block * 4096L, Blocks.Make(block, 1), BlockWriteFlags.ForceUnitAccess);
        }

        // Cleaner mode raises the watermarks: an ordinary pass takes the oldest first and the kernel issues its runs
        // in that order under a plug, without sorting them.
        await cache.SendMessageAsync("cleaner");
        await cache.WhenWritebackIdle();
        Assert.Equal([9L, 3L, 1L], origin.WriteLog.Select(w => w.Offset / 4096));
        Assert.Equal(cache.BlockCount, cache.GetStatus().FreeBlocks);
        await cache.DisposeAsync();
    }

    [Fact]
    public async Task AKickTakenBeforeASuspendStartsNoWritebackWhileSuspended()
    {
        var origin = new FaultyBlockDevice(64 * Caches.MiB);
        using var media = new TestMedia();
        // Watermarks 0: every allocation kicks writeback and any dirty block is written back; metadata_only sends
        // plain writes around the cache, which makes pause_writeback hold the kicked worker (for up to a minute).
        var options = new WriteCacheOptions(WriteCacheMode.Ssd)
        {
            HighWatermark = 0, LowWatermark = 0, MetadataOnly = true, PauseWriteback = TimeSpan.FromMinutes(1),
        };
        WriteCacheDevice cache = await Caches.Ssd(origin, media.File(16 * Caches.MiB, out _), options);
        await cache.WhenWritebackIdle(); // the resume's kick found nothing to write
        await cache.WriteAsync(0, Blocks.Make(0, 1));
        await cache.WriteAsync(8 * 4096, Blocks.Make(8, 1), WriteCacheWriteFlags.Metadata | WriteCacheWriteFlags.ForceUnitAccess);
        Assert.Equal(1, origin.Writes);

        await cache.SuspendAsync();
        // The worker holds a kick; once it sees the suspension it ends its pause and must not start a pass.
        await cache.WhenWritebackIdle();
        WriteCacheStatus status = cache.GetStatus();
        Assert.Equal((1, 0L, cache.BlockCount - 1), (origin.Writes, status.WritebackBlocks, status.FreeBlocks));

        await cache.ResumeAsync();
        Assert.Equal(Blocks.Make(8, 1), await Blocks.Read(cache, 8));
        await cache.DisposeAsync();
    }

    [Fact]
    public async Task AResumeWaitsForTheWritebackOfASuspendInProgress()
    {
        using var media = new TestMedia();
        var origin = new FaultyBlockDevice(64 * Caches.MiB);
        (WriteCacheDevice cache, _) = await Caches.Pmem(media, origin);
        await cache.WriteAsync(0, Blocks.Make(0, 1, count: 4), BlockWriteFlags.ForceUnitAccess);
        await cache.SendMessageAsync("flush_on_suspend");
        origin.Hold();
        Task suspend = cache.SuspendAsync();
        await origin.Held; // the suspend's writeback is writing to the origin
        Task resume = cache.ResumeAsync();
        // A pmem resume runs without waiting on any device: had it not queued behind the suspend, it would be done.
        Assert.False(resume.IsCompleted, "the resume rebuilt the tables while the suspend's writeback was running");
        origin.Release();
        await suspend;
        await resume;

        // The resume rebuilt the tables after the writeback had freed the blocks, not under it.
        WriteCacheStatus status = cache.GetStatus();
        Assert.Equal((cache.BlockCount, 0L, false), (status.FreeBlocks, status.WritebackBlocks, status.HasError));
        Assert.Equal(Blocks.Make(0, 1, count: 4), origin.Contents[..(4 * 4096)].ToArray());
        Assert.Equal(Blocks.Make(0, 1, count: 4), await Blocks.Read(cache, 0, count: 4));
        await cache.DisposeAsync();
    }

    [Fact]
    public async Task AnSsdFlushCountsAsAnOriginWriteForPauseWriteback()
    {
        using var media = new TestMedia();
        var origin = new FaultyBlockDevice(64 * Caches.MiB);
        WriteCacheDevice cache = await Caches.Ssd(origin, media.File(16 * Caches.MiB, out _));
        await cache.WriteAsync(0, Blocks.Make(0, 1));
        Assert.True(cache.OriginIdleMs > 60_000); // no request has gone to the origin yet

        // The kernel sends the second clone of a flush to the origin as a write and pause_writeback counts it.
        origin.Hold();
        ValueTask flush = cache.FlushAsync();
        await origin.Held;
        Assert.Equal(0, cache.OriginIdleMs);
        origin.Release();
        await flush;
        Assert.InRange(cache.OriginIdleMs, 0, 60_000);
        await cache.DisposeAsync();
    }
}
