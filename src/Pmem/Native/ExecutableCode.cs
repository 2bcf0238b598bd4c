using Pmem.Interop;

namespace Pmem.Native;

/// <summary>
/// Machine code placed in a page of its own and made executable, for the few instructions .NET has no intrinsic for
/// (cache-line write-back on x86-64; <c>dc cvap</c>, <c>dsb</c> and <c>mrs ctr_el0</c> on ARM64).
/// </summary>
/// <remarks>
/// The page is mapped read-write, filled, then switched to read-execute (never writable and executable at once).
/// On ARM64 the kernel makes the instruction cache coherent when the page becomes executable
/// (<c>set_pte_at</c> → <c>__sync_icache_dcache</c>), so no explicit <c>ic ivau</c> is needed. The page lives for the
/// life of the process. See docs/runtime.md for why this beats a native library or a P/Invoke per line.
/// </remarks>
internal static unsafe class ExecutableCode
{
    /// <summary>Copies <paramref name="code"/> into a new executable page and returns its address.</summary>
    /// <param name="code">Position-independent machine code for the running CPU.</param>
    /// <param name="error">Why the page could not be made executable, when the result is null.</param>
    /// <returns>The address of the first byte, or null where the platform forbids executable memory.</returns>
    public static byte* TryLoad(ReadOnlySpan<byte> code, out string? error)
    {
        nuint size = (nuint)Environment.SystemPageSize;
        if ((nuint)code.Length > size)
        {
            throw new ArgumentException("Machine code larger than one page.", nameof(code));
        }

        void* page = LibC.mmap(null, size, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0);
        if (page == LibC.MapFailed)
        {
            error = "mmap of a code page failed: " + LibC.LastError();
            return null;
        }

        code.CopyTo(new Span<byte>(page, code.Length));
        if (LibC.mprotect(page, size, LibC.PROT_READ | LibC.PROT_EXEC) != 0)
        {
            // SELinux execmem, PaX MPROTECT and similar policies refuse this.
            error = "mprotect(PROT_EXEC) of a code page was refused: " + LibC.LastError();
            LibC.munmap(page, size);
            return null;
        }

        error = null;
        return (byte*)page;
    }
}
