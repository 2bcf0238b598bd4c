namespace Pmem.Testing.Tests;

/// <summary>Scenarios that run asynchronously or on several threads are recorded, and their failures reported readably.</summary>
public sealed class RecordingTests
{
    [Fact]
    public async Task AsyncScenarioAndCheckSeeStoresMadeOnOtherTasks()
    {
        CrashExploration exploration = await CrashSimulator.AssertCrashConsistentAsync(
            PmemModel.Arm64,
            scenario: async pmem =>
            {
                nint address = AddressOf(pmem);
                await Task.Run(() => StoreAt(address, 0, 1UL));
                await Task.Yield();
                StoreAt(address, 64, 2UL);
                pmem.Acknowledge("both");
            },
            check: async image =>
            {
                await Task.Yield();
                if (image.Acknowledged.Count == 1)
                {
                    Assert.Equal((1UL, 2UL), (image.AsRef<ulong>(0), image.AsRef<ulong>(64)));
                }
            });

        Assert.Equal(2, exploration.Stores);
        Assert.Equal(3, exploration.CrashPoints);
    }

    [Fact]
    public void StoresOnSeveralThreadsAreAllRecorded()
    {
        var (exploration, images) = ImageCollector.Collect(PmemModel.X64, pmem =>
        {
            nint address = AddressOf(pmem);
            Parallel.For(0, 16, unit => StoreAt(address, unit * 8, (ulong)unit + 1));
        });

        // However the threads interleaved, every store was committed by its own thread before the end.
        Assert.Equal((16, 16), (exploration.Stores, exploration.Fences));
        byte[] end = Assert.Single(images[^1]);
        for (int unit = 0; unit < 16; unit++)
        {
            Assert.Equal([(ulong)unit + 1], ImageCollector.ValuesAt([end], unit * 8));
        }
    }

    [Fact]
    public void TheReportNamesTheCrashPointTheAcknowledgementsAndTheSourceLines()
    {
        CrashConsistencyException failure = Assert.Throws<CrashConsistencyException>(() => CrashSimulator.AssertCrashConsistent(
            PmemModel.Arm64,
            pmem =>
            {
                // The missing PmemFlush is the bug this test makes the simulator report, so the analyzer's PMEM001 is expected.
#pragma warning disable PMEM001
                SimPersist.PmemAssign(ref pmem.AsRef<ulong>(0), 1UL);
                SimPersist.PmemCommit();
#pragma warning restore PMEM001
                pmem.Acknowledge("the value 1");
            },
            image => Assert.Equal(1UL, image.AsRef<ulong>(0))));

        string report = failure.Message;
        Assert.Contains("under the Arm64 model, crash point 1: just before the PmemCommit at RecordingTests.cs:", report, StringComparison.Ordinal);
        Assert.Contains("LOST      store #1 PmemAssign 8 bytes at 0x0 (RecordingTests.cs:", report, StringComparison.Ordinal);
        Assert.Contains("The check failed: EqualException", report, StringComparison.Ordinal);
        Assert.Equal(1L, failure.Counterexample.ImageNumber);
        Assert.All(failure.Counterexample.Image, b => Assert.Equal(0, b));
    }

    private static unsafe nint AddressOf(SimulatedPmem pmem) => (nint)pmem.Pointer;

    private static unsafe void StoreAt(nint region, int offset, ulong value)
    {
        SimPersist.PmemAssign(ref *(ulong*)(region + offset), value);
        SimPersist.PmemFlush(new ReadOnlySpan<byte>((byte*)(region + offset), 8));
        SimPersist.PmemCommit();
    }
}
