namespace Pmem;

/// <summary>How <see cref="PmemRegion"/> maps a file.</summary>
public sealed record PmemMapOptions
{
    /// <summary>The default: DAX files get cache-line granularity, everything else page granularity.</summary>
    public static PmemMapOptions Default { get; } = new();

    /// <summary>
    /// Accept a file on tmpfs (such as <c>/dev/shm</c>) as emulated persistent memory with
    /// <see cref="PersistenceGranularity.CacheLine"/>, as PMDK does under <c>PMEM_IS_PMEM_FORCE=1</c>.
    /// </summary>
    /// <remarks>
    /// tmpfs lives in DRAM: its contents survive the process (a kill -9) but not a power failure or a reboot. This
    /// option is for tests, benchmarks and development: the primitives run exactly the instruction sequence they
    /// would on real pmem, and a crash of the process loses nothing that was committed.
    /// </remarks>
    public bool AllowEmulatedPmem { get; init; }

    /// <summary>Fail unless the file can be mapped with <c>MAP_SYNC</c> (a DAX file system on real pmem).</summary>
    public bool RequireDax { get; init; }
}
