using Pmem.Interop;

namespace Pmem.Native;

/// <summary>
/// Facts about an ARM64 CPU that only running an instruction can tell: whether <c>dc cvap</c> really executes,
/// and the data cache line size.
/// </summary>
/// <remarks>
/// qemu-user 7.2 reports DCPOP in <c>AT_HWCAP</c> yet raises SIGILL on <c>dc cvap</c>. Trusting the HWCAP alone
/// would crash every program cross-tested under emulation, so the runtime runs <c>dc cvap</c> once with a SIGILL
/// handler of its own installed, and falls back to <c>dc cvac</c> when it faults. The handler is installed only for
/// the length of the probe and the runtime's own handler is put back afterwards.
/// </remarks>
internal static unsafe class Arm64CpuProbe
{
    private const nuint HWCAP_DCPOP = 1 << 16;
    private const int SigactionSize = 152; // arm64 glibc struct sigaction: handler, 128-byte mask, flags, restorer
    private const int SigactionFlagsOffset = 136;

    private static readonly Lock s_probeLock = new();

    /// <summary>Whether <c>AT_HWCAP</c> announces DCPOP (<c>dc cvap</c>).</summary>
    public static bool HwcapHasDcCvap() => (LibC.getauxval(LibC.AT_HWCAP) & HWCAP_DCPOP) != 0;

    /// <summary>Runs <c>dc cvap</c> once under a SIGILL handler; true when it executed.</summary>
    public static bool DcCvapExecutes()
    {
        byte[] probe = Arm64MachineCode.DcCvapProbe;
        byte[] handler = Arm64MachineCode.SkipFaultingInstructionHandler;
        byte* page = ExecutableCode.TryLoad([.. probe, .. handler], out _);
        if (page == null)
        {
            return false;
        }

        try
        {
            var run = (delegate* unmanaged[SuppressGCTransition]<void*, int>)page;
            byte* action = stackalloc byte[SigactionSize];
            byte* previous = stackalloc byte[SigactionSize];
            new Span<byte>(action, SigactionSize).Clear();
            *(void**)action = page + probe.Length;
            *(int*)(action + SigactionFlagsOffset) = LibC.SA_SIGINFO;

            long line = 0;
            lock (s_probeLock)
            {
                if (LibC.sigaction(LibC.SIGILL, action, previous) != 0)
                {
                    return false;
                }

                try
                {
                    return run(&line) == 1;
                }
                finally
                {
                    LibC.sigaction(LibC.SIGILL, previous, null);
                }
            }
        }
        finally
        {
            LibC.munmap(page, (nuint)Environment.SystemPageSize);
        }
    }

    /// <summary>The smallest data cache line size, from CTR_EL0.DminLine (log2 of 4-byte words).</summary>
    public static int DataCacheLineSize()
    {
        byte* page = ExecutableCode.TryLoad(Arm64MachineCode.ReadCacheTypeRegister, out _);
        if (page == null)
        {
            return 64;
        }

        try
        {
            ulong ctr = ((delegate* unmanaged[SuppressGCTransition]<ulong>)page)();
            return 4 << (int)((ctr >> 16) & 0xF);
        }
        finally
        {
            LibC.munmap(page, (nuint)Environment.SystemPageSize);
        }
    }
}
