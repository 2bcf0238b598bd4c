using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Pmem.Native;

namespace Pmem;

/// <summary>
/// What the running CPU offers for persistent memory, and what the runtime chose to use. Detected once; the
/// choices can be overridden with the variables of <see cref="PmemEnvironment"/> (for tests and benchmarks).
/// </summary>
public static class PmemCpu
{
    /// <summary>
    /// The default size from which x86-64 copies use non-temporal stores: one cache line. Measured on this project's
    /// machines (docs/performance.md, "sequence variants"), non-temporal stores beat a cached copy + <c>clwb</c> at
    /// every size that holds a whole line, by 1.5–2.2× from 64 to 256 bytes, hot or cold. PMDK's 256 came from Optane;
    /// <c>PMEM_MOVNT_THRESHOLD</c> overrides it.
    /// </summary>
    public const int DefaultNonTemporalThreshold = 64;

    static PmemCpu()
    {
        if (X86Base.X64.IsSupported)
        {
            (_, int ebx7, int ecx7, _) = X86Base.CpuId(7, 0);
            (_, _, _, int edx1) = X86Base.CpuId(1, 0);
            HasClflush = (edx1 & (1 << 19)) != 0;
            HasClflushopt = (ebx7 & (1 << 23)) != 0;
            HasClwb = (ebx7 & (1 << 24)) != 0;
            HasMovdir64b = (ecx7 & (1 << 28)) != 0;
            CacheLineSize = 64;

            WriteBack = HasClwb && !PmemEnvironment.IsSet(PmemEnvironment.NoClwb) ? CacheWriteBackInstruction.Clwb
                : HasClflushopt && !PmemEnvironment.IsSet(PmemEnvironment.NoClflushopt) ? CacheWriteBackInstruction.Clflushopt
                : CacheWriteBackInstruction.Clflush;

            NonTemporalStoreWidth = PmemEnvironment.IsSet(PmemEnvironment.NoMovnt) ? 0
                : Avx512F.IsSupported && !PmemEnvironment.IsSet(PmemEnvironment.NoAvx512) && !PmemEnvironment.IsSet(PmemEnvironment.NoAvx) ? 64
                : Avx.IsSupported && !PmemEnvironment.IsSet(PmemEnvironment.NoAvx) ? 32
                : 16;
            NonTemporalThreshold = NonTemporalStoreWidth == 0 ? int.MaxValue
                : PmemEnvironment.GetInt32(PmemEnvironment.MovntThreshold) ?? DefaultNonTemporalThreshold;
        }
        else if (ArmBase.Arm64.IsSupported)
        {
            HasDcCvap = Arm64CpuProbe.HwcapHasDcCvap();
            DcCvapExecutes = HasDcCvap && Arm64CpuProbe.DcCvapExecutes();
            CacheLineSize = Arm64CpuProbe.DataCacheLineSize();
            WriteBack = DcCvapExecutes && !PmemEnvironment.IsSet(PmemEnvironment.NoDcCvap)
                ? CacheWriteBackInstruction.DcCvap
                : CacheWriteBackInstruction.DcCvac;
            NonTemporalThreshold = int.MaxValue;
        }
        else
        {
            CacheLineSize = 64;
            NonTemporalThreshold = int.MaxValue;
        }
    }

    /// <summary>The architecture of the running process.</summary>
    public static Architecture Architecture => RuntimeInformation.ProcessArchitecture;

    /// <summary>x86-64: the CPU has <c>clwb</c>.</summary>
    public static bool HasClwb { get; }

    /// <summary>x86-64: the CPU has <c>clflushopt</c>.</summary>
    public static bool HasClflushopt { get; }

    /// <summary>x86-64: the CPU has <c>clflush</c>.</summary>
    public static bool HasClflush { get; }

    /// <summary>x86-64: the CPU has <c>movdir64b</c> (64-byte direct stores; reported, not used: NT stores are as fast here).</summary>
    public static bool HasMovdir64b { get; }

    /// <summary>x86-64: AVX-512F non-temporal stores are available.</summary>
    public static bool HasAvx512 => Avx512F.IsSupported;

    /// <summary>x86-64: AVX (32-byte) non-temporal stores are available.</summary>
    public static bool HasAvx => Avx.IsSupported;

    /// <summary>x86-64: SSE2 (16-byte) non-temporal stores are available.</summary>
    public static bool HasSse2 => Sse2.IsSupported;

    /// <summary>ARM64: <c>AT_HWCAP</c> announces DCPOP (<c>dc cvap</c>).</summary>
    public static bool HasDcCvap { get; }

    /// <summary>
    /// ARM64: <c>dc cvap</c> really executes (probed once with a SIGILL handler). False under qemu-user 7.2, which
    /// announces DCPOP but faults on the instruction; the runtime then uses <c>dc cvac</c>.
    /// </summary>
    public static bool DcCvapExecutes { get; }

    /// <summary>The data cache line size in bytes (x86-64: 64; ARM64: from CTR_EL0).</summary>
    public static int CacheLineSize { get; }

    /// <summary>The instruction the runtime writes cache lines back with.</summary>
    public static CacheWriteBackInstruction WriteBack { get; }

    /// <summary>x86-64: the width in bytes of the non-temporal stores used for large copies (64, 32 or 16); 0 when disabled.</summary>
    public static int NonTemporalStoreWidth { get; }

    /// <summary>x86-64: copies of at least this many bytes use non-temporal stores. <see cref="int.MaxValue"/> on ARM64.</summary>
    public static int NonTemporalThreshold { get; }

    /// <summary>A one-line description of the detected features and the choices made, for logs and tools.</summary>
    /// <returns>For example "x64: clwb, AVX-512 non-temporal stores from 256 bytes, 64-byte lines".</returns>
    public static string Describe() => Architecture switch
    {
        Architecture.X64 => $"x64: {WriteBack.ToString().ToLowerInvariant()} write-back, "
            + (NonTemporalStoreWidth == 0 ? "no non-temporal stores" : $"{NonTemporalStoreWidth * 8}-bit non-temporal stores from {NonTemporalThreshold} bytes")
            + $", {CacheLineSize}-byte lines",
        Architecture.Arm64 => $"arm64: dc {(WriteBack == CacheWriteBackInstruction.DcCvap ? "cvap" : "cvac")} + dsb osh, {CacheLineSize}-byte lines"
            + (HasDcCvap && !DcCvapExecutes ? " (DCPOP announced but dc cvap faults: emulator?)" : string.Empty),
        _ => $"{Architecture}: not supported",
    };
}
