using Pmem.WriteCache.Format;

namespace Pmem.WriteCache.Media;

/// <summary>
/// Where a cache's superblock, entries and data live and how they are made durable: mapped pmem
/// (<see cref="PmemCacheStore"/>) or a block device with the metadata mirrored in RAM (<see cref="SsdCacheStore"/>).
/// The engine reads the superblock and entries by reference (<see cref="Superblock"/>, <see cref="Entry"/>) in both
/// modes, as the kernel reads <c>wc->memory_map</c>. Operations that return a task report device errors through it, never by throwing at the
/// call, so the engine can test a completed task without wrapping the call.
/// </summary>
internal abstract class CacheStore : IAsyncDisposable
{
    /// <summary>Usable bytes of the cache area (device size minus <c>start_sector</c>).</summary>
    public abstract long AreaSize { get; }

    /// <summary>The layout in effect once the superblock has been read or written.</summary>
    public CacheLayout Layout { get; set; }

    /// <summary>The superblock.</summary>
    public abstract ref Superblock Superblock { get; }

    /// <summary>Entry <paramref name="index"/>.</summary>
    /// <param name="index">Entry index.</param>
    /// <returns>A reference to it, to read; writes go through <see cref="WriteEntry"/> and <see cref="ClearEntry"/>.</returns>
    public abstract ref MemoryEntry Entry(long index);

    /// <summary>Bytes of RAM the store keeps per cache (ssd mode mirrors the metadata; pmem mode reads it in place).</summary>
    public abstract long MemoryBytes { get; }

    /// <summary>Reads <paramref name="buffer"/>.Length bytes of data from consecutive cache blocks starting at <paramref name="index"/>.</summary>
    /// <param name="index">First block.</param>
    /// <param name="buffer">Receives whole blocks.</param>
    /// <returns>A task that completes when read; a device error is its exception.</returns>
    public abstract ValueTask ReadDataAsync(long index, Memory<byte> buffer);

    /// <summary>Writes whole blocks of data to consecutive cache blocks starting at <paramref name="index"/>; durable after a commit.</summary>
    /// <param name="index">First block.</param>
    /// <param name="data">Whole blocks.</param>
    /// <returns>A task that completes when written; a device error is its exception.</returns>
    public abstract ValueTask WriteDataAsync(long index, ReadOnlyMemory<byte> data);

    /// <summary>Makes data written over committed blocks durable without a commit (ssd mode writes them in place).</summary>
    /// <returns>A task that completes when durable.</returns>
    public abstract ValueTask FlushDataAsync();

    /// <summary>Writes entry <paramref name="index"/> (the kernel's <c>write_original_sector_seq_count</c>); durable after a commit.</summary>
    /// <param name="index">Entry index.</param>
    /// <param name="sector">Origin sector.</param>
    /// <param name="seqCount">The commit it will belong to.</param>
    public abstract void WriteEntry(long index, ulong sector, ulong seqCount);

    /// <summary>Marks entry <paramref name="index"/> free (seq_count all ones, sector kept); durable after a commit.</summary>
    /// <param name="index">Entry index.</param>
    public abstract void ClearEntry(long index);

    /// <summary>Schedules entry <paramref name="index"/> and, in pmem mode, its data for the next commit (<c>writecache_flush_entry</c>).</summary>
    /// <param name="index">Entry index.</param>
    public abstract void FlushEntry(long index);

    /// <summary>Makes everything flushed so far durable (<c>writecache_commit_flushed</c>).</summary>
    /// <returns>A task that completes when it is durable.</returns>
    public abstract ValueTask CommitFlushedAsync();

    /// <summary>Stores <paramref name="seqCount"/> in the superblock and makes it durable: the commit point.</summary>
    /// <param name="seqCount">The new sequence count.</param>
    /// <returns>A task that completes when it is durable.</returns>
    public abstract ValueTask PublishSeqCountAsync(ulong seqCount);

    /// <summary>Writes a fresh superblock and all-free entries for <paramref name="layout"/>, the magic last (<c>init_memory</c>).</summary>
    /// <param name="layout">The layout to format.</param>
    /// <returns>A task that completes when the format is durable.</returns>
    public abstract ValueTask FormatAsync(CacheLayout layout);

    /// <summary>Loads every entry of <see cref="Layout"/> before recovery (ssd mode reads them from the device).</summary>
    /// <returns>A task that completes when the metadata can be read through <see cref="Entry"/>.</returns>
    public abstract ValueTask LoadEntriesAsync();

    /// <summary>Marks every entry free in RAM after <see cref="LoadEntriesAsync"/> failed (the kernel's resume does the same).</summary>
    public abstract void ForgetEntries();

    /// <summary>Releases what the store owns.</summary>
    /// <returns>A task that completes when released.</returns>
    public abstract ValueTask DisposeAsync();
}
