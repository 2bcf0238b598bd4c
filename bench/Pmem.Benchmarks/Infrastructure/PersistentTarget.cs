using System.Runtime.InteropServices;
using Pmem.Benchmarks.Pmdk;

namespace Pmem.Benchmarks.Infrastructure;

/// <summary>
/// The destination every benchmark writes to: a 64 MiB file on /dev/shm mapped as emulated pmem, shared by Pmem
/// and PMDK so both write the same kind of memory, plus a cache-resident source buffer. <see cref="Next"/> hands
/// out destinations cycling over the region, so a copy finds its destination lines uncached, as in peers.md.
/// </summary>
internal sealed unsafe class PersistentTarget : IDisposable
{
    /// <summary>The region size: far larger than the last-level cache, so cycling destinations are cold.</summary>
    public const int RegionBytes = 64 << 20;

    private const int Line = 64;
    private readonly PmemRegion _region;
    private readonly byte* _source;
    private readonly int _stride;
    private readonly int _bytes;
    private long _offset;

    /// <summary>Maps a fresh region and checks that Pmem and PMDK both see it as pmem.</summary>
    /// <param name="copy">The copy size and destination pattern every <see cref="Next"/> serves.</param>
    public PersistentTarget(CopyCase copy)
    {
        _bytes = copy.Bytes;

        // Hot: always the same destination. Cold: the next line-aligned slot, wrapping at the end of the region.
        _stride = copy.CacheHot ? 0 : (copy.Bytes + Line - 1) / Line * Line;
        string path = Path.Combine("/dev/shm", $"pmem-bench-{Environment.ProcessId}.pool");
        _region = PmemRegion.Create(path, RegionBytes, new PmemMapOptions { AllowEmulatedPmem = true });
        if (_region.Granularity == PersistenceGranularity.Page)
        {
            throw new InvalidOperationException($"{_region} has page granularity: the benchmark would measure msync, not the primitives.");
        }

        // libpmem reads PMEM_IS_PMEM_FORCE from the process environment; the jobs set it (PmemJobs), and so must
        // whoever runs the in-process smoke mode.
        if (LibPmem.IsPmem(_region.Pointer, RegionBytes) == 0)
        {
            throw new InvalidOperationException("libpmem does not treat the /dev/shm region as pmem: run with PMEM_IS_PMEM_FORCE=1.");
        }

        _source = (byte*)NativeMemory.AlignedAlloc((nuint)Math.Max(copy.Bytes, Line), Line);
        new Span<byte>(_source, copy.Bytes).Fill(0x5A);

        // Touch every page once so no benchmark pays the first-touch page faults of tmpfs. Not a durable write (the
        // contents do not matter, nothing reads them after a crash), so the analyzer's persistence rule is waived.
#pragma warning disable PMEM004
        _region.Span.Clear();
#pragma warning restore PMEM004
    }

    /// <summary>The source bytes of every copy (<see cref="CopyCase.Bytes"/> long, 64-byte aligned).</summary>
    public ReadOnlySpan<byte> Source => new(_source, _bytes);

    /// <summary>The source as a pointer, for PMDK.</summary>
    public byte* SourcePointer => _source;

    /// <summary>The region, for benchmarks that address it themselves.</summary>
    public PmemRegion Region => _region;

    /// <summary>The next destination: <see cref="CopyCase.Bytes"/> bytes, 64-byte aligned.</summary>
    /// <returns>A pointer into the region.</returns>
    public byte* Next()
    {
        long offset = _offset;
        _offset = offset + _stride + _bytes > RegionBytes ? 0 : offset + _stride;
        return _region.Pointer + offset;
    }

    /// <summary>The next destination as a span, for Pmem's primitives.</summary>
    /// <returns>A span of <see cref="CopyCase.Bytes"/> bytes in the region.</returns>
    public Span<byte> NextSpan() => new(Next(), _bytes);

    /// <inheritdoc/>
    public void Dispose()
    {
        string path = _region.Path;
        _region.Dispose();
        File.Delete(path);
        NativeMemory.AlignedFree(_source);
    }
}
