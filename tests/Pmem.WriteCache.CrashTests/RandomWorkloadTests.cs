using Pmem.Testing;

namespace Pmem.WriteCache.CrashTests;

/// <summary>
/// Random workloads (single and multi-block writes, overwrites of uncommitted and committed blocks, FUA, flushes,
/// discards, writeback by message and by watermark) crashed at every commit: recovery keeps every acknowledged write
/// and no block reads older than its durable version, or torn.
/// </summary>
public sealed class RandomWorkloadTests
{
    public static TheoryData<string, PmemModel, int> Workloads()
    {
        var cases = new TheoryData<string, PmemModel, int>();
        foreach (CacheSetup setup in CacheSetup.All)
        {
            for (int seed = 1; seed <= CrashBudget.Seeds; seed++)
            {
                cases.Add(setup.Name, PmemModel.X64, seed);
                cases.Add(setup.Name, PmemModel.Arm64, seed);
            }

            // Eadr admits the same images as X64 for the four primitives: one workload states the contract.
            cases.Add(setup.Name, PmemModel.Eadr, 1);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Workloads))]
    public async Task EveryCrashRecoversAcknowledgedWritesAndNothingOlderOrTorn(string setupName, PmemModel model, int seed)
    {
        CacheSetup setup = CacheSetup.Named(setupName);
        IReadOnlyList<WorkloadStep> steps = Workload.Random(seed, setup.OriginBlocks, CrashBudget.Steps);
        await using var check = new RecoveryCheck(setup);

        WriteCacheStatistics statistics = default;

        CrashExploration exploration = await CrashRun.AssertConsistentAsync(model, setup, CacheScenario.Over(setup, async (cache, pmem) =>
        {
            await WorkloadRunner.RunAsync(cache, pmem, steps);
            statistics = cache.GetStatus().Statistics;
        }), check.CheckAsync, seed);

        // Every flush of new data commits (two fences at least), so the crashes really were inside the workload, and
        // the workload overwrote cached blocks, not only new ones.
        Assert.True(exploration.CrashPoints > steps.Count(step => step is FlushStep), exploration.ToString());
        Assert.True(statistics.WriteHitsCommitted + statistics.WriteHitsUncommitted > 0, $"no overwrite of a cached block: {statistics}");
    }
}
