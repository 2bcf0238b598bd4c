using System.Diagnostics;
using Pmem.Native;

namespace Pmem.Tests;

/// <summary>
/// The machine code the runtime places in executable pages, disassembled by GNU objdump: proof that the bytes are the
/// instructions the docs name (including <c>dc cvap</c>, which qemu cannot execute).
/// </summary>
public sealed class MachineCodeTests
{
    [Theory]
    [InlineData(CacheWriteBackInstruction.Clwb, "clwb   (%rdi)")]
    [InlineData(CacheWriteBackInstruction.Clflushopt, "clflushopt (%rdi)")]
    [InlineData(CacheWriteBackInstruction.Clflush, "clflush (%rdi)")]
    public void X64WriteBackLoopsDisassembleToTheirInstruction(CacheWriteBackInstruction instruction, string expected)
    {
        byte[] code = (instruction switch
        {
            CacheWriteBackInstruction.Clwb => X64MachineCode.WriteBackClwb,
            CacheWriteBackInstruction.Clflushopt => X64MachineCode.WriteBackClflushopt,
            _ => X64MachineCode.WriteBackClflush,
        }).ToArray();
        string listing = Disassemble("objdump", "i386:x86-64", code);

        Assert.Contains(expected, listing);
        Assert.Contains("test   %rsi,%rsi", listing);
        Assert.Contains("and    $0xffffffffffffffc0,%rdi", listing);
        Assert.Contains("add    $0x40,%rdi", listing);
        Assert.Matches(@"jb\s+0x[0-9a-f]+", listing);
        Assert.EndsWith("ret", listing.TrimEnd());
        AssertBranchesTargetTheLoop(listing, expected);
    }

    [Fact]
    public void Arm64FlushLoopsCleanEveryLineWithDcCvapOrDcCvac()
    {
        string cvap = Disassemble("aarch64-linux-gnu-objdump", "aarch64", Arm64MachineCode.FlushLoop(Arm64MachineCode.DcCvapX0));
        string cvac = Disassemble("aarch64-linux-gnu-objdump", "aarch64", Arm64MachineCode.FlushLoop(Arm64MachineCode.DcCvacX0));

        Assert.Contains("dc\tcvap, x0", cvap);
        Assert.Contains("dc\tcvac, x0", cvac);
        foreach (string listing in new[] { cvap, cvac })
        {
            Assert.Contains("cbz\tx1, 0x20", listing);
            Assert.Contains("bic\tx0, x0, x3", listing);
            Assert.Contains("add\tx0, x0, x2", listing);
            Assert.Contains("b.cc\t0x10", listing);
        }
    }

    [Fact]
    public void Arm64BarrierProbeAndHandlerAreTheDocumentedInstructions()
    {
        Assert.Contains("dsb\tosh", Disassemble("aarch64-linux-gnu-objdump", "aarch64", Arm64MachineCode.Barrier));
        Assert.Contains("mrs\tx0, ctr_el0", Disassemble("aarch64-linux-gnu-objdump", "aarch64", Arm64MachineCode.ReadCacheTypeRegister));
        Assert.Contains("dc\tcvap, x9", Disassemble("aarch64-linux-gnu-objdump", "aarch64", Arm64MachineCode.DcCvapProbe));
        string handler = Disassemble("aarch64-linux-gnu-objdump", "aarch64", Arm64MachineCode.SkipFaultingInstructionHandler);
        Assert.Contains("str\txzr, [x2, #184]", handler);
        Assert.Contains("ldr\tx3, [x2, #440]", handler);
        Assert.Contains("add\tx3, x3, #0x4", handler);
    }

    private static void AssertBranchesTargetTheLoop(string listing, string lineInstruction)
    {
        // The backward branch must land on the line instruction, the forward one on the ret.
        string[] lines = listing.Split('\n');
        string loopAddress = lines.First(l => l.Contains(lineInstruction, StringComparison.Ordinal)).Split(':')[0].Trim();
        string retAddress = lines.Last(l => l.TrimEnd().EndsWith("ret", StringComparison.Ordinal)).Split(':')[0].Trim();
        Assert.Contains($"jb     0x{loopAddress}", listing);
        Assert.Contains($"je     0x{retAddress}", listing);
    }

    private static string Disassemble(string objdump, string machine, byte[] code)
    {
        string file = Path.Combine(Path.GetTempPath(), $"pmem-code-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(file, code);
        try
        {
            var start = new ProcessStartInfo(objdump, ["-D", "-b", "binary", "-m", machine, file]) { RedirectStandardOutput = true, RedirectStandardError = true };
            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException($"{objdump} is not installed (Debian: binutils / binutils-aarch64-linux-gnu); .ci/run installs it.", e);
            }

            using (process)
            {
                string output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());
                return output[output.IndexOf("<.data>:", StringComparison.Ordinal)..];
            }
        }
        finally
        {
            File.Delete(file);
        }
    }
}
