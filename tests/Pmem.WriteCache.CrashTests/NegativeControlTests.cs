using Pmem.Simulation;
using Pmem.Testing;
using Pmem.WriteCache.Format;

namespace Pmem.WriteCache.CrashTests;

/// <summary>The suite can fail: the real engine with its data flushes dropped loses acknowledged writes under ARM64.</summary>
public sealed class NegativeControlTests
{
    private static readonly WorkloadStep[] s_fuaWrites = [new WriteStep(0, 1, Fua: true), new WriteStep(1, 2, Fua: true), new WriteStep(0, 1, Fua: true)];

    [Fact]
    public async Task WithoutTheDataFlushBeforeThePublishArm64LosesAnAcknowledgedWrite()
    {
        CacheSetup setup = CacheSetup.Blocks4096;
        await using var check = new RecoveryCheck(setup);
        DataFlushDroppingRecorder? broken = null;

        CrashExploration exploration = await CrashRun.ExploreAsync(PmemModel.Arm64, setup, WithDataFlushesDropped(setup, recorder => broken = recorder), check.CheckAsync);

        Assert.True(broken?.Dropped > 0, "the broken variant dropped no flush");
        CrashCounterexample counterexample = Assert.IsType<CrashCounterexample>(exploration.FirstFailure);
        // A copy of a whole data block (the data area starts after the entries), not persisted, for want of a flush.
        long dataStart = CacheLayout.ForFreshArea(setup.RegionSize, setup.BlockSize)!.Value.DataOffset;
        Assert.Contains(counterexample.UndeterminedStores, store =>
            store.Primitive == "PmemMemcpy" && store.Length == setup.BlockSize && store.Offset >= dataStart && store.Fate != StoreFate.Persisted
            && store.WhyNotDurable.Contains("missing PmemFlush", StringComparison.Ordinal));
        Assert.Contains("durable: version", counterexample.Failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PmemModel.X64)]
    [InlineData(PmemModel.Eadr)]
    public async Task WithoutTheDataFlushTheEngineStillSurvivesWhereFlushIsEmpty(PmemModel model)
    {
        CacheSetup setup = CacheSetup.Blocks4096;
        await using var check = new RecoveryCheck(setup);

        await CrashRun.AssertConsistentAsync(model, setup, WithDataFlushesDropped(setup, _ => { }), check.CheckAsync);
    }

    /// <summary>FUA writes through the broken variant: installed after set-up, for the workload's requests.</summary>
    private static Func<SimulatedPmem, Task> WithDataFlushesDropped(CacheSetup setup, Action<DataFlushDroppingRecorder> installed)
        => CacheScenario.Over(setup, async (cache, pmem) =>
        {
            var broken = new DataFlushDroppingRecorder(PmemSimulation.Recorder!, setup.BlockSize);
            installed(broken);
            using (PmemSimulation.Record(broken))
            {
                await WorkloadRunner.RunAsync(cache, pmem, s_fuaWrites);
            }
        });
}
