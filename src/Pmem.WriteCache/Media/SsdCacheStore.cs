using System.Runtime.CompilerServices;
using Pmem.BlockDevices;
using Pmem.WriteCache.Format;

namespace Pmem.WriteCache.Media;

/// <summary>
/// The ssd-mode store: the metadata (superblock and entries) is mirrored in RAM and written to the cache device only
/// at commit, in the 64 KiB chunks that changed, followed by a device flush and then the superblock's first page
/// with FUA, exactly as the kernel's <c>ssd_commit_flushed</c> and <c>ssd_commit_superblock</c> do.
/// </summary>
internal sealed class SsdCacheStore : CacheStore
{
    /// <summary>The kernel's <c>BITMAP_GRANULARITY</c>: metadata is written in chunks of this size.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>The kernel writes this much of the metadata (its page size) to commit the superblock.</summary>
    public const int SuperblockWriteSize = 4096;

    private readonly IBlockDevice _device;
    private readonly bool _ownsDevice;
    private readonly long _startOffset;
    private readonly byte[] _buffer;
    private readonly bool[] _dirtyChunks;

    /// <summary>Creates the store with a RAM buffer as large as a fresh format of the area needs.</summary>
    /// <param name="device">The cache device.</param>
    /// <param name="startOffset">Bytes skipped at its start.</param>
    /// <param name="freshLayout">The layout a format of the whole area would have; sizes the RAM buffer.</param>
    /// <param name="ownsDevice">Dispose the device with the store.</param>
    public SsdCacheStore(IBlockDevice device, long startOffset, CacheLayout freshLayout, bool ownsDevice)
    {
        _device = device;
        _ownsDevice = ownsDevice;
        _startOffset = startOffset;
        if (freshLayout.DataOffset > Array.MaxLength)
        {
            throw new WriteCacheConfigurationException("Invalid device size", LinuxErrno.EFBIG, $"{freshLayout.DataOffset} bytes of metadata do not fit in memory");
        }

        // Pinned: the engine reads entries through a pointer, as the kernel reads its vmalloc'ed copy.
        _buffer = GC.AllocateArray<byte>((int)freshLayout.DataOffset, pinned: true);
        _dirtyChunks = new bool[(_buffer.Length + ChunkSize - 1) / ChunkSize];
        unsafe
        {
            Metadata = (byte*)Unsafe.AsPointer(ref _buffer[0]);
        }

        Layout = freshLayout;
    }

    public override long AreaSize => _device.Length - _startOffset;

    /// <summary>Bytes of RAM the metadata mirror takes.</summary>
    public override long MemoryBytes => _buffer.Length;

    /// <summary>Reads the first block of metadata (the superblock), as the kernel's constructor does.</summary>
    /// <param name="blockSize">Bytes to read.</param>
    /// <returns>A task that completes when read.</returns>
    public ValueTask ReadSuperblockAsync(int blockSize) => _device.ReadAsync(_startOffset, _buffer.AsMemory(0, Math.Min(blockSize, _buffer.Length)));

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
        int chunk = 0;
        while (chunk < _dirtyChunks.Length)
        {
            if (!_dirtyChunks[chunk])
            {
                chunk++;
                continue;
            }

            int end = chunk;
            while (end < _dirtyChunks.Length && _dirtyChunks[end])
            {
                end++;
            }

            long offset = (long)chunk * ChunkSize;
            if (offset >= metadataBytes)
            {
                break;
            }

            int length = (int)(Math.Min((long)end * ChunkSize, metadataBytes) - offset);
            await _device.WriteAsync(_startOffset + offset, _buffer.AsMemory((int)offset, length)).ConfigureAwait(false);
            chunk = end;
        }

        await _device.FlushAsync().ConfigureAwait(false);
        Array.Clear(_dirtyChunks);
    }

    public override async ValueTask PublishSeqCountAsync(ulong seqCount)
    {
        Superblock.SeqCount = seqCount;
        int length = (int)Math.Min(SuperblockWriteSize, Layout.DataOffset);
        await _device.WriteAsync(_startOffset, _buffer.AsMemory(0, length), BlockWriteFlags.ForceUnitAccess).ConfigureAwait(false);
    }

    public override async ValueTask FormatAsync(CacheLayout layout)
    {
        // The kernel's init_memory on its metadata buffer: the 64 superblock bytes are zeroed and the entries set,
        // the rest stays as it is — the first block as read from the device, zeroes after it — and the whole
        // metadata area up to the data is then written, so bytes between the entries and the data keep what the
        // device had in its first block and are zero beyond it.
        Layout = layout;
        _buffer.AsSpan(0, Superblock.Size).Clear();
        Superblock.Version = Format.Superblock.CurrentVersion;
        Superblock.BlockSize = (uint)layout.BlockSize;
        Superblock.NBlocks = (ulong)layout.BlockCount;
        Superblock.SeqCount = 0;
        _buffer.AsSpan(Superblock.Size, (int)(MemoryEntry.Size * layout.BlockCount)).Fill(0xFF);
        Array.Fill(_dirtyChunks, true);
        await CommitFlushedAsync().ConfigureAwait(false);
        Superblock.Magic = Format.Superblock.MagicValue; // a reference cannot live across the await above
        MarkDirty(0);
        await CommitFlushedAsync().ConfigureAwait(false);
    }

    public override ValueTask LoadEntriesAsync() => _device.ReadAsync(_startOffset, _buffer.AsMemory(0, (int)Layout.DataOffset));

    public override void ForgetEntries() => _buffer.AsSpan(Superblock.Size, (int)(Layout.DataOffset - Superblock.Size)).Fill(0xFF);

    public override async ValueTask DisposeAsync()
    {
        if (_ownsDevice)
        {
            await _device.DisposeAsync().ConfigureAwait(false);
        }
    }

    private long DataDeviceOffset(long index) => _startOffset + Layout.DataBlockOffset(index);

    private void MarkDirty(long offset) => _dirtyChunks[offset / ChunkSize] = true;
}
