using System.Runtime.InteropServices;

namespace Pmem.Benchmarks.Pmdk;

/// <summary>
/// The libpmem entry points the benchmarks compare against (Debian <c>libpmem1</c>, PMDK 1.12).
/// <see cref="SuppressGCTransitionAttribute"/> on every import: Pmem's own native write-back loop is called that
/// way, so PMDK gets the same cheap call and the comparison measures the libraries, not .NET's interop.
/// </summary>
internal static unsafe partial class LibPmem
{
    private const string Library = "libpmem.so.1";

    [LibraryImport(Library, EntryPoint = "pmem_memcpy_persist")]
    [SuppressGCTransition]
    public static partial void* MemcpyPersist(void* destination, void* source, nuint length);

    [LibraryImport(Library, EntryPoint = "pmem_memcpy_nodrain")]
    [SuppressGCTransition]
    public static partial void* MemcpyNodrain(void* destination, void* source, nuint length);

    [LibraryImport(Library, EntryPoint = "pmem_drain")]
    [SuppressGCTransition]
    public static partial void Drain();

    [LibraryImport(Library, EntryPoint = "pmem_persist")]
    [SuppressGCTransition]
    public static partial void Persist(void* address, nuint length);

    [LibraryImport(Library, EntryPoint = "pmem_is_pmem")]
    public static partial int IsPmem(void* address, nuint length);
}
