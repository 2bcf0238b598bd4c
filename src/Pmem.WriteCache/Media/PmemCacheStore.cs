using System.Runtime.CompilerServices;
using Pmem.WriteCache.Format;

namespace Pmem.WriteCache.Media;

/// <summary>
/// The pmem-mode store: superblock, entries and data are the mapped media itself, and every store to it is a
/// <c>PmemMemcpy</c> or <c>PmemAssign</c>, flushed with <c>PmemFlush</c> and fenced with <c>PmemCommit</c>.
/// </summary>
internal sealed unsafe class PmemCacheStore : CacheStore
{
    private const int FormatChunk = 64 * 1024;
    private static readonly byte[] s_allOnes = CreateAllOnes();
    private readonly PmemCacheMedia _media;
    private readonly bool _ownsMedia;
    private readonly long _areaSize;

    /// <summary>The cache area's first byte (the superblock), after <c>start_sector</c>.</summary>
    private readonly byte* _metadata;

    public PmemCacheStore(PmemCacheMedia media, long startOffset, bool ownsMedia)
    {
        _media = media;
        _ownsMedia = ownsMedia;
        _areaSize = media.Length - startOffset;
        _metadata = media.Pointer + startOffset;
    }

    public override long AreaSize => _areaSize;

    public override ref Superblock Superblock => ref Unsafe.AsRef<Superblock>(_metadata);

    public override ref MemoryEntry Entry(long index) => ref Unsafe.AsRef<MemoryEntry>(_metadata + CacheLayout.EntryOffset(index));

    public override long MemoryBytes => 0;

    /// <summary>Data block <paramref name="index"/> on the media.</summary>
    /// <param name="index">Block index.</param>
    /// <returns>The block's bytes; written only through <see cref="WriteDataAsync"/>.</returns>
    public Span<byte> DataBlock(long index) => DataBlocks(index, Layout.BlockSize);

    public override ValueTask ReadDataAsync(long index, Memory<byte> buffer)
    {
        DataBlocks(index, buffer.Length).CopyTo(buffer.Span);
        return ValueTask.CompletedTask;
    }

    /// <summary>Copies written data into the cache blocks from <paramref name="index"/> on; flushed at the next commit.</summary>
    [Pmem.PmemCallerCommits]
    public override ValueTask WriteDataAsync(long index, ReadOnlyMemory<byte> data)
    {
        Persist.PmemMemcpy(DataBlocks(index, data.Length), data.Span);
        return ValueTask.CompletedTask;
    }

    /// <summary>Pmem mode never writes over a committed block: a new copy is committed instead.</summary>
    public override ValueTask FlushDataAsync() => ValueTask.CompletedTask;

    [Pmem.PmemCallerCommits]
    public override void WriteEntry(long index, ulong sector, ulong seqCount)
    {
        ref MemoryEntry entry = ref Entry(index);
        Persist.PmemAssign(ref entry.OriginalSector, sector);
        Persist.PmemAssign(ref entry.SeqCount, seqCount);
    }

    [Pmem.PmemCallerCommits]
    public override void ClearEntry(long index)
    {
        ref MemoryEntry entry = ref Entry(index);
        Persist.PmemAssign(ref entry.SeqCount, MemoryEntry.Free);
        Persist.PmemFlush(EntryBytes(index));
    }

    public override void FlushEntry(long index)
    {
        Persist.PmemFlush(EntryBytes(index));
        Persist.PmemFlush(DataBlock(index));
    }

    public override ValueTask CommitFlushedAsync()
    {
        Persist.PmemCommit();
        return ValueTask.CompletedTask;
    }

    public override ValueTask PublishSeqCountAsync(ulong seqCount)
    {
        ref Superblock superblock = ref Superblock;
        Persist.PmemAssign(ref superblock.SeqCount, seqCount);
        Persist.PmemFlush(new ReadOnlySpan<byte>(_metadata + Superblock.Offsets.SeqCount, sizeof(ulong)));
        Persist.PmemCommit();
        return ValueTask.CompletedTask;
    }

    public override ValueTask FormatAsync(CacheLayout layout)
    {
        // The kernel's init_memory: zero the 64 superblock bytes (magic stays zero), version, block size, count,
        // every entry all ones, flush and commit; only then the magic, so a crash leaves an unformatted cache.
        ref Superblock superblock = ref Superblock;
        for (int word = 0; word < Superblock.Size / sizeof(ulong); word++)
        {
            Persist.PmemAssign(ref Unsafe.AsRef<ulong>(_metadata + (word * sizeof(ulong))), 0UL);
        }

        Persist.PmemAssign(ref superblock.Version, Superblock.CurrentVersion);
        Persist.PmemAssign(ref superblock.BlockSize, (uint)layout.BlockSize);
        Persist.PmemAssign(ref superblock.NBlocks, (ulong)layout.BlockCount);
        Persist.PmemFlush(new ReadOnlySpan<byte>(_metadata, Superblock.Size));
        long entriesEnd = CacheLayout.EntryOffset(layout.BlockCount);
        for (long offset = Superblock.Size; offset < entriesEnd; offset += FormatChunk)
        {
            int length = (int)Math.Min(FormatChunk, entriesEnd - offset);
            var chunk = new Span<byte>(_metadata + offset, length);
            Persist.PmemMemcpy(chunk, s_allOnes.AsSpan(0, length));
            Persist.PmemFlush(chunk);
        }

        Persist.PmemCommit();
        Persist.PmemAssign(ref superblock.Magic, Superblock.MagicValue);
        Persist.PmemFlush(new ReadOnlySpan<byte>(_metadata + Superblock.Offsets.Magic, sizeof(uint)));
        Persist.PmemCommit();
        return ValueTask.CompletedTask;
    }

    public override ValueTask LoadEntriesAsync() => ValueTask.CompletedTask;

    /// <summary>Never called: the entries are read in place, so loading them cannot fail.</summary>
    public override void ForgetEntries()
    {
    }

    public override ValueTask DisposeAsync()
    {
        if (_ownsMedia)
        {
            _media.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private Span<byte> DataBlocks(long index, int length) => new(_metadata + Layout.DataBlockOffset(index), length);

    private Span<byte> EntryBytes(long index) => MemoryEntry.AsBytes(ref Entry(index));

    private static byte[] CreateAllOnes()
    {
        byte[] ones = new byte[FormatChunk];
        ones.AsSpan().Fill(0xFF);
        return ones;
    }
}
