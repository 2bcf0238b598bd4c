using System.Buffers.Binary;

namespace Pmem.Native;

/// <summary>
/// ARM64 routines (AAPCS64), as instruction words. Encodings checked with GNU as/objdump for aarch64; the tests
/// disassemble them again with <c>aarch64-linux-gnu-objdump</c>.
/// </summary>
internal static class Arm64MachineCode
{
    /// <summary><c>dc cvap, x0</c>: clean the line to the point of persistence (ARMv8.2 DCPOP).</summary>
    public const uint DcCvapX0 = 0xD50B7C20;

    /// <summary><c>dc cvac, x0</c>: clean the line to the point of coherency (every ARMv8 CPU).</summary>
    public const uint DcCvacX0 = 0xD50B7A20;

    /// <summary><c>dsb osh</c>: wait for the cleans to complete, outer shareable — the kernel's <c>pmem_wmb()</c>.</summary>
    public const uint DsbOsh = 0xD503339F;

    private const uint Ret = 0xD65F03C0;

    /// <summary>
    /// <c>void flush(void* address, nuint length, nuint lineSize)</c> cleaning every line the range touches:
    /// <code>
    ///   cbz  x1, done
    ///   add  x1, x0, x1      ; end
    ///   sub  x3, x2, #1      ; line mask
    ///   bic  x0, x0, x3      ; first line
    /// next:
    ///   dc   cvap, x0        ; or dc cvac
    ///   add  x0, x0, x2
    ///   cmp  x0, x1
    ///   b.lo next
    /// done:
    ///   ret
    /// </code>
    /// </summary>
    /// <param name="cleanInstruction"><see cref="DcCvapX0"/> or <see cref="DcCvacX0"/>.</param>
    /// <returns>The routine's bytes.</returns>
    public static byte[] FlushLoop(uint cleanInstruction) =>
        Words(0xB4000101, 0x8B010001, 0xD1000443, 0x8A230000, cleanInstruction, 0x8B020000, 0xEB01001F, 0x54FFFFA3, Ret);

    /// <summary><c>void barrier(void)</c>: <c>dsb osh; ret</c>.</summary>
    public static byte[] Barrier => Words(DsbOsh, Ret);

    /// <summary><c>ulong ctr(void)</c>: <c>mrs x0, ctr_el0; ret</c> — the cache type register (DminLine in bits 19:16).</summary>
    public static byte[] ReadCacheTypeRegister => Words(0xD53B0020, Ret);

    /// <summary>
    /// <c>int probe(void* line)</c>: returns 1 after running <c>dc cvap</c> on the line of its argument:
    /// <c>mov x9, x0; mov x0, #1; dc cvap, x9; ret</c>. With <see cref="SkipFaultingInstructionHandler"/> installed
    /// for SIGILL it returns 0 where <c>dc cvap</c> faults.
    /// </summary>
    public static byte[] DcCvapProbe => Words(0xAA0003E9, 0xD2800020, 0xD50B7C29, Ret);

    /// <summary>
    /// A SIGILL handler <c>void handler(int, siginfo_t*, ucontext_t* x2)</c> that sets the interrupted x0 to 0
    /// and resumes after the faulting instruction:
    /// <c>str xzr, [x2, #184]; ldr x3, [x2, #440]; add x3, x3, #4; str x3, [x2, #440]; ret</c>.
    /// Offsets: <c>uc_mcontext</c> is at 176 in the arm64 <c>ucontext_t</c> (kernel and glibc agree), regs[0] at
    /// +8 in it, pc at +264.
    /// </summary>
    public static byte[] SkipFaultingInstructionHandler => Words(0xF9005C5F, 0xF940DC43, 0x91001063, 0xF900DC43, Ret);

    private static byte[] Words(params uint[] words)
    {
        byte[] code = new byte[words.Length * 4];
        for (int i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(code.AsSpan(i * 4), words[i]);
        }

        return code;
    }
}
