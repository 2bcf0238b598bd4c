using System;
using Pmem;

// A package consumer: maps emulated pmem, persists a record with the generated primitives, reads it back.
string path = args[0];
using (PmemRegion region = PmemRegion.Create(path, 1 << 16, new PmemMapOptions { AllowEmulatedPmem = true }))
{
    byte[] record = "hello, persistent world"u8.ToArray();
    Persist.PmemMemcpy(region.Slice(64, record.Length), record);
    Persist.PmemFlush(region.Slice(64, record.Length));
    Persist.PmemCommit();
    Persist.PmemAssign(ref region.AsRef<ulong>(0), (ulong)record.Length);
    Persist.PmemFlush(region.Slice(0, 8));
    Persist.PmemCommit();
}

using (PmemRegion reopened = PmemRegion.Open(path, new PmemMapOptions { AllowEmulatedPmem = true }))
{
    int length = (int)reopened.AsRef<ulong>(0);
    Console.WriteLine($"read back: {System.Text.Encoding.UTF8.GetString(reopened.Slice(64, length))}");
    Console.WriteLine($"cpu: {PmemCpu.Describe()}");
}

[PmemPrimitives]
internal static partial class Persist;

internal static class ForgetsTheFlush
{
    // Correct on x86-64 only: the analyzer must report PMEM001 here.
    public static void Append(Span<byte> pmem, ReadOnlySpan<byte> data)
    {
        Persist.PmemMemcpy(pmem, data);
        Persist.PmemCommit();
    }
}
