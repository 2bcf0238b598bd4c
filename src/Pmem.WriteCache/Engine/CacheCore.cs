using Pmem.BlockDevices;
using Pmem.WriteCache.Media;

namespace Pmem.WriteCache.Engine;

/// <summary>
/// What every part of the engine shares: the devices, the entry table, the lock that guards it (the kernel's
/// <c>wc-&gt;lock</c>), the suspend gate, the error state, the statistics and the clock. Each part owns the rest of
/// its state itself.
/// </summary>
internal sealed class CacheCore
{
    public CacheCore(EngineSettings settings, IBlockDevice origin, CacheStore store, object owner)
    {
        Settings = settings;
        Origin = origin;
        Store = store;
        Entries = new EntryTable(checked((int)settings.BlockCount), sortedFreelist: settings.IsSsd);
        Gate = new SuspendGate(Lock, owner);
        Error = new ErrorState();
    }

    public EngineSettings Settings { get; }

    public IBlockDevice Origin { get; }

    /// <summary>The cache media: superblock, entries and data.</summary>
    public CacheStore Store { get; }

    /// <summary>The in-memory state of every entry: index, LRU, freelist.</summary>
    public EntryTable Entries { get; }

    public AsyncLock Lock { get; } = new();

    public SuspendGate Gate { get; }

    public ErrorState Error { get; }

    public Counters Stats { get; } = new();

    public CacheClock Clock { get; } = new();
}
