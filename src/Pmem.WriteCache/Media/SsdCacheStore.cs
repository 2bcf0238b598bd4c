using System.Numerics;
using System.Runtime.CompilerServices;
using Pmem.BlockDevices;
using Pmem.WriteCache.Format;

namespace Pmem.WriteCache.Media;

/// <summary>
/// The ssd-mode store: the metadata (superblock and entries) is mirrored in RAM and written to the cache device only
/// at commit, in the 64 KiB chunks that changed, followed by a device flush and then the superblock's first page
/// with FUA, exactly as the kernel's <c>ssd_commit_flushed</c> and <c>ssd_commit_superblock</c> do. The mirror is
/// held in segments (the kernel's is one <c>vmalloc</c> area): one array could not hold the ~4 GiB of metadata of a
/// 1 TiB cache, and a segment is a whole number of chunks and entries, so neither straddles two segments.
/// </summary>
internal sealed class SsdCacheStore : CacheStore
{
    /// <summary>The kernel's <c>BITMAP_GRANULARITY</c>: metadata is written in chunks of this size.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>The kernel writes this much of the metadata (its page size) to commit the superblock.</summary>
    public const int SuperblockWriteSize = 4096;

    /// <summary>Bytes of the mirror per segment: also the largest metadata read or write.</summary>
    public const int DefaultSegmentSize = 64 * 1024 * 1024;

    private readonly IBlockDevice _device;
    private readonly bool _ownsDevice;
    private readonly long _startOffset;
    private readonly long _mirrorSize;
    private readonly byte[][] _segments;
    private readonly int _segmentShift;
    private readonly long _segmentMask;
    private readonly ulong[] _dirtyChunks; // one bit per chunk

    /// <summary>Creates the store with a RAM mirror as large as a fresh format of the area needs.</summary>
    /// <param name="device">The cache device.</param>
    /// <param name="startOffset">Bytes skipped at its start.</param>
    /// <param name="freshLayout">The layout a format of the whole area would have; sizes the mirror.</param>
    /// <param name="ownsDevice">Dispose the device with the store.</param>
    /// <param name="segmentSize">Bytes per mirror segment: a power of two, at least <see cref="ChunkSize"/>.</param>
    /// <exception cref="WriteCacheConfigurationException">The mirror does not fit in memory.</exception>
    public SsdCacheStore(IBlockDevice device, long startOffset, CacheLayout freshLayout, bool ownsDevice, int segmentSize = DefaultSegmentSize)
    {
        if (segmentSize < ChunkSize || !BitOperations.IsPow2(segmentSize))
        {
            throw new ArgumentOutOfRangeException(nameof(segmentSize), segmentSize, $"A metadata segment is a power of two of at least {ChunkSize} bytes.");
        }

        _device = device;
        _ownsDevice = ownsDevice;
        _startOffset = startOffset;
        _mirrorSize = freshLayout.DataOffset;
        _segmentShift = BitOperations.Log2((uint)segmentSize);
        _segmentMask = segmentSize - 1;
        long segmentCount = (_mirrorSize + segmentSize - 1) >> _segmentShift;
        try
        {
            _segments = new byte[segmentCount][];
            for (long s = 0; s < segmentCount; s++)
            {
                _segments[s] = new byte[Math.Min(segmentSize, _mirrorSize - (s << _segmentShift))];
            }
        }
        catch (OutOfMemoryException e)
        {
            throw new WriteCacheConfigurationException("Cannot allocate memory", LinuxErrno.ENOMEM, $"{_mirrorSize} bytes of metadata do not fit in memory", e);
        }

        _dirtyChunks = new ulong[(((_mirrorSize + ChunkSize - 1) / ChunkSize) + 63) / 64];
        Layout = freshLayout;
    }

    public override long AreaSize => _device.Length - _startOffset;

    public override ref Superblock Superblock => ref Unsafe.As<byte, Superblock>(ref _segments[0][0]);

    public override ref MemoryEntry Entry(long index)
    {
        long offset = CacheLayout.EntryOffset(index);
        return ref Unsafe.As<byte, MemoryEntry>(ref _segments[offset >> _segmentShift][offset & _segmentMask]);
    }

    /// <summary>Bytes of RAM the metadata mirror takes.</summary>
    public override long MemoryBytes => _mirrorSize;

    /// <summary>Reads the first block of metadata (the superblock), as the kernel's constructor does.</summary>
    /// <param name="blockSize">Bytes to read.</param>
    /// <returns>A task that completes when read.</returns>
    public ValueTask ReadSuperblockAsync(int blockSize) => _device.ReadAsync(_startOffset, _segments[0].AsMemory(0, (int)Math.Min(blockSize, _mirrorSize)));

    public override ValueTask ReadDataAsync(long index, Memory<byte> buffer) => _device.ReadAsync(DataDeviceOffset(index), buffer);

    public override ValueTask WriteDataAsync(long index, ReadOnlyMemory<byte> data) => _device.WriteAsync(DataDeviceOffset(index), data);

    /// <summary>Flushes the cache device's volatile cache (after overwriting committed blocks in place).</summary>
    /// <returns>A task that completes when flushed, and carries the device's error if it fails.</returns>
    public override async ValueTask FlushDataAsync() => await _device.FlushAsync().ConfigureAwait(false);

    public override void WriteEntry(long index, ulong sector, ulong seqCount)
    {
        ref MemoryEntry entry = ref Entry(index);
        entry.OriginalSector = sector;
        entry.SeqCount = seqCount;
    }

    public override void ClearEntry(long index)
    {
        Entry(index).SeqCount = MemoryEntry.Free;
        MarkDirty(CacheLayout.EntryOffset(index));
    }

    public override void FlushEntry(long index) => MarkDirty(CacheLayout.EntryOffset(index));

    public override async ValueTask CommitFlushedAsync()
    {
        long metadataBytes = Layout.DataOffset;
        long chunkCount = (metadataBytes + ChunkSize - 1) / ChunkSize;
        for (long chunk = NextDirtyChunk(0, chunkCount); chunk < chunkCount; chunk = NextDirtyChunk(chunk, chunkCount))
        {
            long end = chunk + 1;
            while (end < chunkCount && IsDirty(end))
            {
                end++;
            }

            long offset = chunk * ChunkSize;
            await WriteMirrorAsync(offset, Math.Min(end * ChunkSize, metadataBytes) - offset).ConfigureAwait(false);
            chunk = end;
        }

        await _device.FlushAsync().ConfigureAwait(false);
        Array.Clear(_dirtyChunks);
    }

    public override async ValueTask PublishSeqCountAsync(ulong seqCount)
    {
        Superblock.SeqCount = seqCount;
        int length = (int)Math.Min(SuperblockWriteSize, Layout.DataOffset);
        await _device.WriteAsync(_startOffset, _segments[0].AsMemory(0, length), BlockWriteFlags.ForceUnitAccess).ConfigureAwait(false);
    }

    public override async ValueTask FormatAsync(CacheLayout layout)
    {
        // The kernel's init_memory on its metadata buffer: the 64 superblock bytes are zeroed and the entries set,
        // the rest stays as it is — the first block as read from the device, zeroes after it — and the whole
        // metadata area up to the data is then written, so bytes between the entries and the data keep what the
        // device had in its first block and are zero beyond it.
        Layout = layout;
        _segments[0].AsSpan(0, Superblock.Size).Clear();
        Superblock.Version = Format.Superblock.CurrentVersion;
        Superblock.BlockSize = (uint)layout.BlockSize;
        Superblock.NBlocks = (ulong)layout.BlockCount;
        Superblock.SeqCount = 0;
        FillMirror(Superblock.Size, MemoryEntry.Size * layout.BlockCount, 0xFF);
        Array.Fill(_dirtyChunks, ulong.MaxValue);
        await CommitFlushedAsync().ConfigureAwait(false);
        Superblock.Magic = Format.Superblock.MagicValue; // a reference cannot live across the await above
        MarkDirty(0);
        await CommitFlushedAsync().ConfigureAwait(false);
    }

    /// <summary>Reads the metadata one segment per device read, so it streams at the device's sequential bandwidth.</summary>
    public override async ValueTask LoadEntriesAsync()
    {
        long metadataBytes = Layout.DataOffset;
        for (long offset = 0; offset < metadataBytes; offset += _segments[0].Length)
        {
            Memory<byte> piece = MirrorPiece(offset, metadataBytes - offset);
            await _device.ReadAsync(_startOffset + offset, piece).ConfigureAwait(false);
        }
    }

    public override void ForgetEntries() => FillMirror(Superblock.Size, Layout.DataOffset - Superblock.Size, 0xFF);

    public override async ValueTask DisposeAsync()
    {
        if (_ownsDevice)
        {
            await _device.DisposeAsync().ConfigureAwait(false);
        }
    }

    private long DataDeviceOffset(long index) => _startOffset + Layout.DataBlockOffset(index);

    /// <summary>The mirror from <paramref name="offset"/>: at most <paramref name="length"/> bytes, up to the end of its segment.</summary>
    private Memory<byte> MirrorPiece(long offset, long length)
    {
        byte[] segment = _segments[offset >> _segmentShift];
        int start = (int)(offset & _segmentMask);
        return segment.AsMemory(start, (int)Math.Min(length, segment.Length - start));
    }

    private async ValueTask WriteMirrorAsync(long offset, long length)
    {
        for (long end = offset + length; offset < end;)
        {
            Memory<byte> piece = MirrorPiece(offset, end - offset);
            await _device.WriteAsync(_startOffset + offset, piece).ConfigureAwait(false);
            offset += piece.Length;
        }
    }

    private void FillMirror(long offset, long length, byte value)
    {
        for (long end = offset + length; offset < end;)
        {
            Memory<byte> piece = MirrorPiece(offset, end - offset);
            piece.Span.Fill(value);
            offset += piece.Length;
        }
    }

    private void MarkDirty(long offset)
    {
        long chunk = offset / ChunkSize;
        _dirtyChunks[chunk >> 6] |= 1UL << (int)(chunk & 63);
    }

    private bool IsDirty(long chunk) => (_dirtyChunks[chunk >> 6] & (1UL << (int)(chunk & 63))) != 0;

    /// <summary>The first dirty chunk at or after <paramref name="chunk"/>, or <paramref name="limit"/>: skips clean words whole.</summary>
    private long NextDirtyChunk(long chunk, long limit)
    {
        while (chunk < limit)
        {
            ulong word = _dirtyChunks[chunk >> 6] >> (int)(chunk & 63);
            if (word != 0)
            {
                return Math.Min(chunk + BitOperations.TrailingZeroCount(word), limit);
            }

            chunk = (chunk | 63) + 1;
        }

        return limit;
    }
}
