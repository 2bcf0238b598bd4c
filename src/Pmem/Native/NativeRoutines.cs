using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Pmem.Native;

/// <summary>
/// The machine-code routines for the running CPU, loaded into one executable page on first use.
/// Only the routines of the running architecture are created.
/// </summary>
internal static unsafe class NativeRoutines
{
    /// <summary>x86-64: <c>writeback(address, length)</c>, or null when the page could not be made executable.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<void*, nuint, void> X64WriteBack;

    /// <summary>ARM64: <c>flush(address, length, lineSize)</c> with <c>dc cvap</c> or <c>dc cvac</c>.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<void*, nuint, nuint, void> Arm64Flush;

    /// <summary>ARM64: <c>dsb osh</c>.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<void> Arm64Barrier;

    /// <summary>Why executable code is unavailable, or null.</summary>
    public static readonly string? LoadError;

    static NativeRoutines()
    {
        if (X86Base.X64.IsSupported)
        {
            ReadOnlySpan<byte> code = PmemCpu.WriteBack switch
            {
                CacheWriteBackInstruction.Clwb => X64MachineCode.WriteBackClwb,
                CacheWriteBackInstruction.Clflushopt => X64MachineCode.WriteBackClflushopt,
                _ => X64MachineCode.WriteBackClflush,
            };
            X64WriteBack = (delegate* unmanaged[SuppressGCTransition]<void*, nuint, void>)ExecutableCode.TryLoad(code, out LoadError);
        }
        else if (ArmBase.Arm64.IsSupported)
        {
            uint clean = PmemCpu.WriteBack == CacheWriteBackInstruction.DcCvap ? Arm64MachineCode.DcCvapX0 : Arm64MachineCode.DcCvacX0;
            byte[] flush = Arm64MachineCode.FlushLoop(clean);
            byte[] barrier = Arm64MachineCode.Barrier;
            byte* page = ExecutableCode.TryLoad([.. flush, .. barrier], out LoadError);
            if (page != null)
            {
                Arm64Flush = (delegate* unmanaged[SuppressGCTransition]<void*, nuint, nuint, void>)page;
                Arm64Barrier = (delegate* unmanaged[SuppressGCTransition]<void>)(page + flush.Length);
            }
        }
        else
        {
            LoadError = $"Pmem supports x86-64 and ARM64; this process runs on {RuntimeInformation.ProcessArchitecture}.";
        }
    }

    /// <summary>Throws a clear error when the routines could not be loaded and there is no managed fallback.</summary>
    public static void EnsureLoaded(void* routine)
    {
        if (routine == null)
        {
            throw new PlatformNotSupportedException(
                "Pmem needs to run a few instructions .NET has no intrinsic for, from an executable page, and could not: "
                + LoadError + " Allow executable anonymous memory for this process (e.g. the SELinux execmem permission).");
        }
    }
}
