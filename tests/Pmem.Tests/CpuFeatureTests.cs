using System.Runtime.InteropServices;

namespace Pmem.Tests;

/// <summary>Feature detection against what the kernel reports, and the choices the runtime makes from it.</summary>
public sealed class CpuFeatureTests
{
    [Fact]
    public void X64FeaturesMatchProcCpuinfo()
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "x86-64 only; the ARM64 run checks the ARM64 features");
        HashSet<string> flags = CpuinfoFlags();
        Assert.Equal(flags.Contains("clwb"), PmemCpu.HasClwb);
        Assert.Equal(flags.Contains("clflushopt"), PmemCpu.HasClflushopt);
        Assert.Equal(flags.Contains("clflush"), PmemCpu.HasClflush);
        Assert.Equal(flags.Contains("movdir64b"), PmemCpu.HasMovdir64b);
        Assert.Equal(flags.Contains("avx512f"), PmemCpu.HasAvx512);
        Assert.Equal(64, PmemCpu.CacheLineSize);
    }

    [Fact]
    public void X64ChoosesTheBestWriteBackAndTheWidestNonTemporalStoreUnlessOverridden()
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "x86-64 only");
        string[] cpuOverrides = [PmemEnvironment.NoClwb, PmemEnvironment.NoClflushopt, PmemEnvironment.NoMovnt,
            PmemEnvironment.MovntThreshold, PmemEnvironment.NoAvx512, PmemEnvironment.NoAvx];
        Assert.SkipWhen(cpuOverrides.Any(name => Environment.GetEnvironmentVariable(name) is not null),
            "a PMEM_ CPU override is set in this environment");
        CacheWriteBackInstruction expected = PmemCpu.HasClwb ? CacheWriteBackInstruction.Clwb
            : PmemCpu.HasClflushopt ? CacheWriteBackInstruction.Clflushopt : CacheWriteBackInstruction.Clflush;
        Assert.Equal(expected, PmemCpu.WriteBack);
        Assert.Equal(PmemCpu.HasAvx512 ? 64 : PmemCpu.HasAvx ? 32 : 16, PmemCpu.NonTemporalStoreWidth);
        Assert.Equal(PmemCpu.DefaultNonTemporalThreshold, PmemCpu.NonTemporalThreshold);
    }

    [Fact]
    public void Arm64FallsBackToDcCvacWhereDcCvapFaults()
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.Arm64, "ARM64 only: runs in the qemu-aarch64 test run");
        if (PmemCpu.DcCvapExecutes && Environment.GetEnvironmentVariable(PmemEnvironment.NoDcCvap) != "1")
        {
            Assert.Equal(CacheWriteBackInstruction.DcCvap, PmemCpu.WriteBack);
        }
        else
        {
            Assert.Equal(CacheWriteBackInstruction.DcCvac, PmemCpu.WriteBack);
        }

        Assert.Contains(PmemCpu.CacheLineSize, new[] { 32, 64, 128, 256 });
        Assert.StartsWith("arm64: dc cv", PmemCpu.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Arm64UnderQemuUserDetectsTheFaultingDcCvap()
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.Arm64 && RunsUnderQemu(), "ARM64 under qemu-user only");

        // qemu-user 7.2 announces DCPOP but raises SIGILL on dc cvap: the probe must see the fault, not crash.
        Assert.True(PmemCpu.HasDcCvap);
        Assert.False(PmemCpu.DcCvapExecutes);
        Assert.Equal(CacheWriteBackInstruction.DcCvac, PmemCpu.WriteBack);
    }

    [Theory]
    [InlineData("PMEM_NO_CLWB=1", "clflushopt write-back")]
    [InlineData("PMEM_NO_CLWB=1 PMEM_NO_CLFLUSHOPT=1", "clflush write-back")]
    [InlineData("PMEM_NO_AVX512F=1", "256-bit non-temporal stores from 64 bytes")]
    [InlineData("PMEM_NO_AVX=1", "128-bit non-temporal stores")]
    [InlineData("PMEM_MOVNT_THRESHOLD=1024", "512-bit non-temporal stores from 1024 bytes")]
    [InlineData("PMEM_NO_MOVNT=1", "no non-temporal stores")]
    public void EnvironmentOverridesChangeTheChoices(string environment, string expected)
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64 && PmemCpu.HasClwb && PmemCpu.HasAvx512,
            "needs an x86-64 CPU with clwb and AVX-512 to observe each override");
        string output = ChildProcess.RunDescribe(environment);
        Assert.Contains(expected, output);
    }

    private static HashSet<string> CpuinfoFlags() =>
        File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("flags", StringComparison.Ordinal))
            .Split(':')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();

    private static bool RunsUnderQemu() =>
        Environment.GetEnvironmentVariable("PMEM_TESTS_UNDER_QEMU") == "1";
}
