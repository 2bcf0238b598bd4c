using System.Diagnostics.Metrics;

namespace Pmem.WriteCache.Tool;

/// <summary>
/// The live counters of a served cache, on the <see cref="Meter"/> <c>Pmem.WriteCache</c>, so
/// <c>dotnet-counters monitor -n pmem-writecache --counters Pmem.WriteCache</c> shows them. Counters come from the
/// engine's status (as <c>dmsetup status</c> has them), request latency from the NBD side, and writebacks from what
/// reaches the origin.
/// </summary>
internal sealed class WriteCacheMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Pmem.WriteCache";

    private readonly Meter _meter = new(MeterName, "1.0");
    private readonly Histogram<double> _requestDuration;
    private readonly object _gate = new();
    private WriteCacheDevice? _cache;
    private long _originBytesWritten;
    private int _blockSize = WriteCacheOptions.SectorSize;

    // clear_stats zeroes the engine's counters; the published counters stay monotonic by adding what was cleared.
    private WriteCacheStatistics _last;
    private WriteCacheStatistics _clearedTotals;

    public WriteCacheMetrics()
    {
        _requestDuration = _meter.CreateHistogram<double>("pmem.writecache.request.duration", "ms", "Time to serve a request, by operation (read, write, flush, discard, write_zeroes).");
        _meter.CreateObservableCounter("pmem.writecache.reads", () => (long)Totals().Reads, "{block}", "Blocks read.");
        _meter.CreateObservableCounter("pmem.writecache.read_hits", () => (long)Totals().ReadHits, "{block}", "Blocks read from the cache.");
        _meter.CreateObservableCounter("pmem.writecache.writes", () => (long)Totals().Writes, "{block}", "Blocks written.");
        _meter.CreateObservableCounter("pmem.writecache.write_hits", () => (long)(Totals().WriteHitsUncommitted + Totals().WriteHitsCommitted), "{block}", "Block writes that hit a cached block.");
        _meter.CreateObservableCounter("pmem.writecache.writes_around", () => (long)Totals().WritesAround, "{block}", "Block writes that went straight to the origin.");
        _meter.CreateObservableCounter("pmem.writecache.flushes", () => (long)Totals().Flushes, "{request}", "Flush requests.");
        _meter.CreateObservableCounter("pmem.writecache.discards", () => (long)Totals().Discards, "{block}", "Blocks discarded.");
        _meter.CreateObservableCounter("pmem.writecache.writebacks", Writebacks, "{block}", "Blocks written back to the origin.");
        _meter.CreateObservableGauge("pmem.writecache.free_blocks", () => Status()?.FreeBlocks ?? 0, "{block}", "Free cache blocks.");
        _meter.CreateObservableGauge("pmem.writecache.writeback_blocks", () => Status()?.WritebackBlocks ?? 0, "{block}", "Blocks being written back now.");
        _meter.CreateObservableGauge("pmem.writecache.blocks", () => Status()?.Blocks ?? 0, "{block}", "Cache blocks.");
    }

    /// <summary>Starts publishing the status of <paramref name="cache"/>.</summary>
    public void Attach(WriteCacheDevice cache)
    {
        _cache = cache;
        _blockSize = cache.LogicalBlockSize;
    }

    /// <summary>Records a request served to a client.</summary>
    public void RecordRequest(BlockOperation operation, long bytes, TimeSpan elapsed)
        => _requestDuration.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("op", OperationTag(operation)));

    /// <summary>Counts a request the engine sent to the origin.</summary>
    public void RecordOriginRequest(BlockOperation operation, long bytes, TimeSpan elapsed)
    {
        if (operation == BlockOperation.Write)
        {
            Interlocked.Add(ref _originBytesWritten, bytes);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private static string OperationTag(BlockOperation operation) => operation switch
    {
        BlockOperation.Read => "read",
        BlockOperation.Write => "write",
        BlockOperation.Flush => "flush",
        BlockOperation.Discard => "discard",
        _ => "write_zeroes",
    };

    private WriteCacheStatus? Status() => _cache?.GetStatus();

    // Origin writes are writebacks plus writes around the cache; the engine counts the latter.
    private long Writebacks() => Math.Max(0, (Interlocked.Read(ref _originBytesWritten) / _blockSize) - (long)Totals().WritesAround);

    private WriteCacheStatistics Totals()
    {
        WriteCacheStatistics now = Status()?.Statistics ?? default;
        lock (_gate)
        {
            if (now.Reads < _last.Reads || now.Writes < _last.Writes || now.Flushes < _last.Flushes || now.Discards < _last.Discards)
            {
                _clearedTotals = Add(_clearedTotals, _last);
            }

            _last = now;
            return Add(_clearedTotals, now);
        }
    }

    private static WriteCacheStatistics Add(WriteCacheStatistics a, WriteCacheStatistics b) => new()
    {
        Reads = a.Reads + b.Reads,
        ReadHits = a.ReadHits + b.ReadHits,
        Writes = a.Writes + b.Writes,
        WriteHitsUncommitted = a.WriteHitsUncommitted + b.WriteHitsUncommitted,
        WriteHitsCommitted = a.WriteHitsCommitted + b.WriteHitsCommitted,
        WritesAround = a.WritesAround + b.WritesAround,
        WritesAllocate = a.WritesAllocate + b.WritesAllocate,
        WritesBlockedOnFreelist = a.WritesBlockedOnFreelist + b.WritesBlockedOnFreelist,
        Flushes = a.Flushes + b.Flushes,
        Discards = a.Discards + b.Discards,
    };
}
