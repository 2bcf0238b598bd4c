namespace Pmem.Native;

/// <summary>
/// x86-64 cache-line write-back loops, System V ABI: <c>void writeback(void* address, nuint length)</c>.
/// Each walks every 64-byte line that [address, address + length) touches:
/// <code>
///   test rsi, rsi        ; nothing to do for an empty range
///   jz   done
///   lea  rsi, [rdi+rsi]  ; end
///   and  rdi, -64        ; first line
/// next:
///   clwb [rdi]           ; or clflushopt / clflush
///   add  rdi, 64
///   cmp  rdi, rsi
///   jb   next
/// done:
///   ret
/// </code>
/// Encodings checked with GNU as/objdump (tests disassemble them again).
/// </summary>
internal static class X64MachineCode
{
    /// <summary>The x86-64 cache line size; CPUID leaf 1 reports it and the runtime checks it is 64.</summary>
    public const int CacheLineSize = 64;

    /// <summary>The write-back loop with <c>clwb</c> (66 0F AE /6): writes the line back and may keep it cached.</summary>
    public static ReadOnlySpan<byte> WriteBackClwb => Loop(0x66, 0x0F, 0xAE, 0x37);

    /// <summary>The loop with <c>clflushopt</c> (66 0F AE /7): writes back and evicts, weakly ordered.</summary>
    public static ReadOnlySpan<byte> WriteBackClflushopt => Loop(0x66, 0x0F, 0xAE, 0x3F);

    /// <summary>The loop with <c>clflush</c> (0F AE /7): writes back and evicts, ordered with other stores (slowest).</summary>
    public static ReadOnlySpan<byte> WriteBackClflush => Loop(0x0F, 0xAE, 0x3F);

    private static byte[] Loop(params byte[] lineInstruction)
    {
        byte[] head = [0x48, 0x85, 0xF6, 0x74, 0x00, 0x48, 0x8D, 0x34, 0x37, 0x48, 0x83, 0xE7, 0xC0];
        byte[] step = [0x48, 0x83, 0xC7, 0x40, 0x48, 0x39, 0xF7, 0x72, 0x00];
        byte[] code = [.. head, .. lineInstruction, .. step, 0xC3];

        // jz done: from the end of the jz (offset 5) to the ret.
        code[4] = (byte)(code.Length - 1 - 5);

        // jb next: back from the end of the jb to the line instruction at offset head.Length.
        code[code.Length - 2] = unchecked((byte)(sbyte)(head.Length - (code.Length - 1)));
        return code;
    }
}
