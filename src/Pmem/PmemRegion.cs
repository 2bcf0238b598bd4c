using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;
using Pmem.CompilerServices;
using Pmem.Interop;
using Pmem.Mapping;

namespace Pmem;

/// <summary>
/// A file mapped shared and read-write as persistent memory, with the <see cref="Granularity"/> at which its stores
/// become durable. Write to it only through the generated primitives (<c>PmemMemcpy</c>, <c>PmemAssign</c>, then
/// <c>PmemFlush</c> and <c>PmemCommit</c>); the analyzer reports plain stores (PMEM004).
/// </summary>
/// <remarks>
/// <para>The mapping is tried first with <c>MAP_SHARED_VALIDATE | MAP_SYNC</c>, which only a DAX file system on
/// real pmem accepts: then stores are durable once their cache lines are written back and fenced
/// (<see cref="PersistenceGranularity.CacheLine"/>), or at once where the platform reports eADR
/// (<see cref="PersistenceGranularity.Byte"/>). Anything else is mapped plainly shared and has
/// <see cref="PersistenceGranularity.Page"/>: the primitives then <c>msync</c> the flushed pages at commit.</para>
/// <para>A file on tmpfs (<c>/dev/shm</c>) counts as emulated pmem with cache-line granularity when
/// <see cref="PmemMapOptions.AllowEmulatedPmem"/> is set or <c>PMEM_IS_PMEM_FORCE=1</c>: its contents survive the
/// process but not a power cut. A device-DAX character device (<c>/dev/daxN.M</c>) maps whole, with cache-line
/// granularity; a pmem block device (<c>/dev/pmemN</c>) is refused: user space reaches that memory through fsdax or
/// devdax. Linux only.</para>
/// </remarks>
public sealed unsafe class PmemRegion : IDisposable
{
    private readonly DirtyPages? _dirtyPages;
    private byte* _pointer;

    private PmemRegion(string path, byte* pointer, long length, PersistenceGranularity granularity, bool isMapSync, bool isEmulated)
    {
        Path = path;
        _pointer = pointer;
        Length = length;
        Granularity = granularity;
        IsMapSync = isMapSync;
        IsEmulated = isEmulated;
        if (granularity == PersistenceGranularity.Page)
        {
            _dirtyPages = new DirtyPages(pointer, (nuint)length, path);
            PageGranularitySync.Register(_dirtyPages);
        }
    }

    /// <summary>The mapped file.</summary>
    public string Path { get; }

    /// <summary>The size of the mapping in bytes (the file's size at the time it was mapped).</summary>
    public long Length { get; }

    /// <summary>When stores to this mapping become durable, and so what the primitives do for it.</summary>
    public PersistenceGranularity Granularity { get; }

    /// <summary>The mapping was made with <c>MAP_SYNC</c>: a DAX file on persistent memory.</summary>
    public bool IsMapSync { get; }

    /// <summary>The mapping is DRAM accepted as pmem (tmpfs, or <c>PMEM_IS_PMEM_FORCE=1</c>): durable across a process crash only.</summary>
    public bool IsEmulated { get; }

    /// <summary>The first byte of the mapping.</summary>
    /// <exception cref="ObjectDisposedException">The region was disposed.</exception>
    public byte* Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pointer == null, this);
            return _pointer;
        }
    }

    /// <summary>The whole mapping as a span.</summary>
    /// <exception cref="InvalidOperationException">The mapping is larger than a span can address (2 GiB); use <see cref="Slice"/>.</exception>
    public Span<byte> Span => Length <= int.MaxValue
        ? new Span<byte>(Pointer, (int)Length)
        : throw new InvalidOperationException($"The mapping of '{Path}' is {Length} bytes, more than a span addresses; use Slice.");

    /// <summary>Creates <paramref name="path"/> (which must not exist) with <paramref name="length"/> bytes allocated, and maps it.</summary>
    /// <param name="path">The file to create, on a DAX file system for real persistence.</param>
    /// <param name="length">Its size in bytes.</param>
    /// <param name="options">How to map it; <see cref="PmemMapOptions.Default"/> when null.</param>
    /// <returns>The mapped region.</returns>
    /// <remarks>The space is allocated up front (<c>posix_fallocate</c>): a store into a hole of a full file system would
    /// otherwise kill the process with SIGBUS.</remarks>
    public static PmemRegion Create(string path, long length, PmemMapOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        using SafeFileHandle file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite);
        int error = LibC.posix_fallocate((int)file.DangerousGetHandle(), 0, length);
        if (error != 0)
        {
            file.Dispose();
            File.Delete(path);
            throw new IOException($"Could not allocate {length} bytes for '{path}': {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(error)} (errno {error}).");
        }

        return Map(path, file, length, options ?? PmemMapOptions.Default);
    }

    /// <summary>
    /// Maps the whole of the existing file <paramref name="path"/>: a regular file (on a DAX file system for real
    /// persistence), or a device-DAX character device (<c>/dev/daxN.M</c>, its size and alignment read from sysfs,
    /// always cache-line granularity).
    /// </summary>
    /// <param name="path">The file or device to map.</param>
    /// <param name="options">How to map it; <see cref="PmemMapOptions.Default"/> when null.</param>
    /// <returns>The mapped region.</returns>
    /// <exception cref="IOException">It cannot be mapped; a pmem block device (<c>/dev/pmemN</c>) is refused with how to
    /// reach the same memory through fsdax or devdax.</exception>
    public static PmemRegion Open(string path, PmemMapOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        MappableFile kind = MappableFile.Probe(path);
        if (kind.Refusal(path) is { } refusal)
        {
            throw new IOException(refusal);
        }

        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        long length = kind.Kind == MappableFileKind.DeviceDax ? kind.Length : RandomAccess.GetLength(file);
        if (length == 0)
        {
            throw new IOException($"'{path}' is empty: there is nothing to map.");
        }

        return Map(path, file, length, options ?? PmemMapOptions.Default, deviceDax: kind.Kind == MappableFileKind.DeviceDax);
    }

    /// <summary>The bytes [<paramref name="offset"/>, +<paramref name="length"/>) of the mapping.</summary>
    /// <param name="offset">Byte offset in the mapping.</param>
    /// <param name="length">Number of bytes.</param>
    /// <returns>A span over mapped memory, valid until the region is disposed.</returns>
    public Span<byte> Slice(long offset, int length)
    {
        CheckRange(offset, length);
        return new Span<byte>(Pointer + offset, length);
    }

    /// <summary>A reference to a <typeparamref name="T"/> stored at <paramref name="offset"/>, which must be aligned to the size of <typeparamref name="T"/> (up to 8).</summary>
    /// <typeparam name="T">An unmanaged type laid out as on the media.</typeparam>
    /// <param name="offset">Byte offset in the mapping.</param>
    /// <returns>A reference into mapped memory, valid until the region is disposed.</returns>
    public ref T AsRef<T>(long offset)
        where T : unmanaged
    {
        CheckRange(offset, sizeof(T));
        int alignment = Math.Min(sizeof(T), 8);
        if ((alignment & (alignment - 1)) == 0 && offset % alignment != 0)
        {
            throw new ArgumentException($"Offset {offset} is not aligned to {alignment} bytes for {typeof(T).Name}.", nameof(offset));
        }

        return ref Unsafe.AsRef<T>(Pointer + offset);
    }

    /// <summary>Makes everything durable (page granularity: <c>msync</c> of the whole mapping) and unmaps it.</summary>
    public void Dispose()
    {
        byte* pointer = _pointer;
        if (pointer == null)
        {
            return;
        }

        if (_dirtyPages != null)
        {
            PageGranularitySync.Unregister(_dirtyPages);
            LibC.msync(pointer, (nuint)Length, LibC.MS_SYNC);
        }

        _pointer = null;
        LibC.munmap(pointer, (nuint)Length);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Path} ({Length} bytes, {Granularity} granularity{(IsEmulated ? ", emulated" : string.Empty)})";

    private static PmemRegion Map(string path, SafeFileHandle file, long length, PmemMapOptions options, bool deviceDax = false)
    {
        int fd = (int)file.DangerousGetHandle();
        const int ReadWrite = LibC.PROT_READ | LibC.PROT_WRITE;
        void* address = LibC.mmap(null, (nuint)length, ReadWrite, LibC.MAP_SHARED_VALIDATE | LibC.MAP_SYNC, fd, 0);
        bool mapSync = address != LibC.MapFailed;
        if (!mapSync)
        {
            if (options.RequireDax)
            {
                throw new IOException($"'{path}' cannot be mapped with MAP_SYNC ({LibC.LastError()}): it is not a file on a DAX file system.");
            }

            address = LibC.mmap(null, (nuint)length, ReadWrite, LibC.MAP_SHARED, fd, 0);
            if (address == LibC.MapFailed)
            {
                throw new IOException($"mmap of '{path}' ({length} bytes) failed: {LibC.LastError()}.");
            }
        }

        bool forced = PmemEnvironment.IsSet(PmemEnvironment.IsPmemForce);
        bool forbidden = PmemEnvironment.IsCleared(PmemEnvironment.IsPmemForce);
        bool emulated = !mapSync && !forbidden && (forced || (options.AllowEmulatedPmem && IsTmpfs(fd)));
        // Device DAX has no page cache to msync (msync fails with EINVAL): its stores are durable once written back
        // and fenced whatever the mapping flags, so PMEM_IS_PMEM_FORCE=0 cannot make it page-granular.
        PersistenceGranularity granularity =
            forbidden && !deviceDax ? PersistenceGranularity.Page
            : mapSync || deviceDax ? (PlatformPersistence.HasPersistentCaches() ? PersistenceGranularity.Byte : PersistenceGranularity.CacheLine)
            : emulated ? PersistenceGranularity.CacheLine
            : PersistenceGranularity.Page;
        return new PmemRegion(path, (byte*)address, length, granularity, mapSync, emulated);
    }

    private static bool IsTmpfs(int fd)
    {
        // struct statfs starts with f_type (a long) on both x86-64 and arm64.
        byte* buffer = stackalloc byte[256];
        return LibC.fstatfs(fd, buffer) == 0 && *(long*)buffer == LibC.TMPFS_MAGIC;
    }

    private void CheckRange(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset > Length - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"[{offset}, +{length}) is outside the {Length}-byte mapping of '{Path}'.");
        }
    }
}
