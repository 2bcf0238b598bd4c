using Pmem.Simulation;

namespace Pmem.Tests;

/// <summary>What primitives generated for the simulated target report to a recorder.</summary>
public sealed class SimulatedTargetTests
{
    [Fact]
    public void StoresFlushesAndFencesAreReportedInProgramOrder()
    {
        var recorder = new ListRecorder();
        byte[] pmem = new byte[64];
        using (PmemSimulation.Record(recorder))
        {
            SimulatedPersist.PmemMemcpy(pmem.AsSpan(8), [1, 2, 3]);
            SimulatedPersist.PmemFlush(pmem.AsSpan(8, 3));
            SimulatedPersist.PmemCommit();
            SimulatedPersist.PmemAssign(ref System.Runtime.CompilerServices.Unsafe.As<byte, ulong>(ref pmem[16]), 0x1122334455667788UL);
            SimulatedPersist.PmemFlush(pmem.AsSpan(16, 8));
        }

        SimulatedPersist.PmemCommit(); // outside the scope: not recorded
        Assert.Equal("Copy 3 [1,2,3] | Flush 3 | Fence | Assign 8 [136,119,102,85,68,51,34,17] | Flush 8", string.Join(" | ", recorder.Events));
        Assert.Equal([1, 2, 3], pmem[8..11]);
    }

    [Fact]
    public void SimulatedAssignChecksAlignmentLikeTheHardwareTargets()
    {
        byte[] pmem = new byte[32];
        // Misaligned on purpose (PMEM003 would refuse it at compile time if the offset were a constant it could see).
#pragma warning disable PMEM001, PMEM002, PMEM003
        Assert.Throws<DataMisalignedException>(() =>
            SimulatedPersist.PmemAssign(ref System.Runtime.CompilerServices.Unsafe.As<byte, ulong>(ref pmem[AlignedIndex(pmem) + 4]), 1UL));
#pragma warning restore PMEM001, PMEM002, PMEM003
    }

    private static unsafe int AlignedIndex(byte[] array)
    {
        fixed (byte* p = array)
        {
            return (int)((8 - ((nuint)p & 7)) & 7);
        }
    }

    private sealed class ListRecorder : IPmemRecorder
    {
        public List<string> Events { get; } = [];

        public void OnStore(ReadOnlySpan<byte> location, PmemStoreKind kind) => Events.Add($"{kind} {location.Length} [{string.Join(',', location.ToArray())}]");

        public void OnFlush(ReadOnlySpan<byte> range) => Events.Add($"Flush {range.Length}");

        public void OnFence() => Events.Add("Fence");
    }
}
