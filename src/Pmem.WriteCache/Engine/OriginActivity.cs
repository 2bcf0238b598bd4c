namespace Pmem.WriteCache.Engine;

/// <summary>
/// What <c>pause_writeback</c> judges: writes the request path sends to the origin in flight — writes around the
/// cache and the origin flush of a flush request, every write the kernel's <c>writecache_map</c> remaps to the origin
/// (<c>dm_iot_io_begin</c>) — and when the last one completed. Updated without the lock.
/// </summary>
internal sealed class OriginActivity
{
    private readonly CacheClock _clock;
    private long _writesInFlight;
    private long _lastWriteMs = long.MinValue / 2;

    public OriginActivity(CacheClock clock) => _clock = clock;

    /// <summary>A request-path write to the origin starts.</summary>
    public void WriteStarted() => Interlocked.Increment(ref _writesInFlight);

    /// <summary>A request-path write to the origin completed (or failed).</summary>
    public void WriteCompleted()
    {
        Volatile.Write(ref _lastWriteMs, _clock.ElapsedMs);
        Interlocked.Decrement(ref _writesInFlight);
    }

    /// <summary>Milliseconds the origin has had no request-path write in flight (0 while one is).</summary>
    public long IdleMs => Interlocked.Read(ref _writesInFlight) > 0 ? 0 : _clock.ElapsedMs - Volatile.Read(ref _lastWriteMs);
}
