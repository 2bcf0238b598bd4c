using System.Buffers.Binary;
using System.Diagnostics;
using Pmem.BlockDevices;

namespace Pmem.WriteCache.Benchmarks;

/// <summary>
/// The figures the issue asks for that are not a BenchmarkDotNet ratio: RAM per cached block (against the kernel's
/// <c>struct wc_entry</c>), recovery rate of a large cache on a sparse file, and a quick latency ratio.
/// </summary>
internal static class Measurements
{
    /// <summary>The kernel's per-entry RAM on 64-bit with DM_WRITECACHE_HANDLE_HARDWARE_ERRORS (x86-64 pmem builds):
    /// rb_node 24 + list_head 16 + wc_list_contiguous/write_in_progress/index 16 + age 8 + original_sector 8 + seq_count 8.</summary>
    private const int KernelEntryBytes = 80;

    public static async Task RunAsync(long entries)
    {
        await RamPerBlockAndRecoveryAsync(entries);
        await LatencyRatioAsync();
    }

    private static async Task RamPerBlockAndRecoveryAsync(long entries)
    {
        const int BlockSize = 512;
        long size = 64 + (16 * entries) + BlockSize + (entries * BlockSize);
        string path = BenchMedia.TempPath();
        try
        {
            // A sparse tmpfs file: only the entries are ever touched. Fill them the way a busy cache leaves them:
            // every entry committed, one block each, so recovery indexes all of them.
            using (var file = File.Create(path))
            {
                file.SetLength(size);
            }

            using (PmemRegion region = PmemRegion.Open(path, new PmemMapOptions { AllowEmulatedPmem = true }))
            {
                // Builds a synthetic committed cache image to time recovery on; nothing here has to be durable,
                // so plain stores are the honest choice (the recovery under test reads it after an msync at Dispose).
#pragma warning disable PMEM004
                unsafe
                {
                    var area = new Span<byte>(region.Pointer, (int)Math.Min(int.MaxValue, 64 + (16 * entries)));
                    long blocks = BlockCountFor(size, BlockSize);
                    BinaryPrimitives.WriteUInt32LittleEndian(area, 0x23489321);
                    BinaryPrimitives.WriteUInt32LittleEndian(area[4..], 1);
                    BinaryPrimitives.WriteUInt32LittleEndian(area[8..], BlockSize);
                    BinaryPrimitives.WriteUInt64LittleEndian(area[16..], (ulong)blocks);
                    BinaryPrimitives.WriteUInt64LittleEndian(area[24..], 1);
                    for (long i = 0; i < blocks; i++)
                    {
                        BinaryPrimitives.WriteUInt64LittleEndian(area[(int)(64 + (16 * i))..], (ulong)i);
                        BinaryPrimitives.WriteUInt64LittleEndian(area[(int)(72 + (16 * i))..], 0);
                    }
                }
#pragma warning restore PMEM004
            }

            var origin = new NullOrigin(entries * BlockSize * 2);
            long before = GC.GetTotalMemory(forceFullCollection: true);
            var clock = Stopwatch.StartNew();
            WriteCacheDevice cache = await WriteCacheDevice.OpenPmemAsync(origin, PmemCacheMedia.Open(path, new PmemMapOptions { AllowEmulatedPmem = true }),
                new WriteCacheOptions(WriteCacheMode.Pmem, BlockSize) { HighWatermark = 100, LowWatermark = 100 }, ownsDevices: true);
            clock.Stop();
            long after = GC.GetTotalMemory(forceFullCollection: true);
            Console.WriteLine($"recovery: {cache.BlockCount:N0} committed entries in {clock.Elapsed.TotalSeconds:F2} s = {cache.BlockCount / clock.Elapsed.TotalSeconds:N0} entries/s");
            Console.WriteLine($"RAM per block: {(double)cache.MetadataMemoryBytes / cache.BlockCount:F1} bytes of entry state and index ({(double)(after - before) / cache.BlockCount:F1} bytes measured on the GC heap); kernel struct wc_entry: {KernelEntryBytes} bytes (rb-tree node included)");
            await cache.DisposeAsync();
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task LatencyRatioAsync()
    {
        var benchmarks = new WriteLatencyBenchmarks();
        benchmarks.Setup();
        try
        {
            const int Iterations = 200_000;
            double bare = Time(benchmarks.BarePrimitives, Iterations);
            double protocol = Time(benchmarks.BareCommitProtocol, Iterations);
            double cached = Time(benchmarks.CacheWriteFua, Iterations);
            Console.WriteLine($"4 KiB: bare primitives {bare:F0} ns, bare dm-writecache commit {protocol:F0} ns, cache FUA write {cached:F0} ns, ratio {cached / bare:F2} (vs the bare commit {cached / protocol:F2})");
        }
        finally
        {
            benchmarks.Cleanup();
        }

        await Task.CompletedTask;
    }

    private static double Time(Action action, int iterations)
    {
        for (int i = 0; i < iterations / 10; i++)
        {
            action();
        }

        var clock = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++)
        {
            action();
        }

        return clock.Elapsed.TotalNanoseconds / iterations;
    }

    private static long BlockCountFor(long size, int blockSize)
    {
        for (long n = size / (blockSize + 16); ; n--)
        {
            long dataStart = (64 + (16 * n) + blockSize - 1) / blockSize * blockSize;
            if (dataStart + (n * blockSize) <= size)
            {
                return n;
            }
        }
    }

    /// <summary>An origin that stores nothing: recovery only needs its size.</summary>
    private sealed class NullOrigin(long length) : IBlockDevice
    {
        public long Length => length;

        public int LogicalBlockSize => 512;

        public BlockDeviceCapabilities Capabilities => BlockDeviceCapabilities.None;

        public ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            buffer.Span.Clear();
            return ValueTask.CompletedTask;
        }

        public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask WriteZeroesAsync(long offset, long length, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
