namespace Pmem.WriteCache;

/// <summary>
/// The memory a pmem-mode cache lives in: a mapped <see cref="PmemRegion"/> (a DAX file, or a tmpfs file as emulated
/// pmem), or any pointer-addressed memory whose stores a test records, such as the crash simulator's.
/// </summary>
public sealed unsafe class PmemCacheMedia : IDisposable
{
    private readonly PmemRegion? _region;
    private readonly bool _ownsRegion;

    private PmemCacheMedia(byte* pointer, long length, string name, PmemRegion? region, bool ownsRegion)
    {
        Pointer = pointer;
        Length = length;
        Name = name;
        _region = region;
        _ownsRegion = ownsRegion;
    }

    /// <summary>The size of the media in bytes.</summary>
    public long Length { get; }

    /// <summary>What the media is, for messages and the table line.</summary>
    public string Name { get; }

    /// <summary>The region the media maps, if it is one.</summary>
    public PmemRegion? Region => _region;

    internal byte* Pointer { get; }

    /// <summary>Uses a mapped region as the cache media.</summary>
    /// <param name="region">The mapped file.</param>
    /// <param name="ownsRegion">Dispose the region with the media.</param>
    /// <returns>The media.</returns>
    public static PmemCacheMedia FromRegion(PmemRegion region, bool ownsRegion = false)
    {
        ArgumentNullException.ThrowIfNull(region);
        return new PmemCacheMedia(region.Pointer, region.Length, region.Path, region, ownsRegion);
    }

    /// <summary>Maps the existing file <paramref name="path"/> and uses it as the cache media (owned by the media).</summary>
    /// <param name="path">A file on a DAX file system, or on tmpfs with <see cref="PmemMapOptions.AllowEmulatedPmem"/>.</param>
    /// <param name="options">How to map it.</param>
    /// <returns>The media.</returns>
    public static PmemCacheMedia Open(string path, PmemMapOptions? options = null) => FromRegion(PmemRegion.Open(path, options), ownsRegion: true);

    /// <summary>
    /// Uses <paramref name="length"/> bytes at <paramref name="pointer"/> as the cache media. The caller keeps the
    /// memory alive and 8-byte aligned for as long as the cache uses it; durability is whatever that memory offers
    /// (the crash simulator records the primitives' stores, flushes and fences against it).
    /// </summary>
    /// <param name="pointer">The first byte, 8-byte aligned.</param>
    /// <param name="length">Size in bytes.</param>
    /// <param name="name">What to call it in messages.</param>
    /// <returns>The media.</returns>
    public static PmemCacheMedia FromMemory(byte* pointer, long length, string name = "memory")
    {
        ArgumentNullException.ThrowIfNull(pointer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        if (((nuint)pointer & 7) != 0)
        {
            throw new ArgumentException("The cache media must be 8-byte aligned: the superblock's seq_count is stored with one atomic 8-byte store.", nameof(pointer));
        }

        return new PmemCacheMedia(pointer, length, name, null, ownsRegion: false);
    }

    /// <summary>Unmaps the region if the media owns it.</summary>
    public void Dispose()
    {
        if (_ownsRegion)
        {
            _region?.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
