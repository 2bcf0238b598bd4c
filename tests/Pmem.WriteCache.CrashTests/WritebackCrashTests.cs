using Pmem.Testing;

namespace Pmem.WriteCache.CrashTests;

/// <summary>
/// Writeback copies committed blocks to the origin, makes them durable there (FUA, or write + flush), and only then
/// frees their entries: a crash at any point finds each block in the cache or on the origin.
/// </summary>
public sealed class WritebackCrashTests
{
    public static TheoryData<string, PmemModel> Cases => new()
    {
        { CacheSetup.Blocks4096.Name, PmemModel.X64 },   // FUA writeback
        { CacheSetup.Blocks4096.Name, PmemModel.Arm64 },
        { CacheSetup.Blocks512.Name, PmemModel.X64 },    // nofua: write, then one origin flush
        { CacheSetup.Blocks512.Name, PmemModel.Arm64 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ACrashDuringWritebackNeverLosesABlock(string setupName, PmemModel model)
    {
        CacheSetup setup = CacheSetup.Named(setupName);
        await using var check = new RecoveryCheck(setup);
        int partlyWrittenBack = 0;

        await CrashRun.AssertConsistentAsync(model, setup, WritingBack(setup), async image =>
        {
            RecoveredCache recovered = await check.CheckAsync(image);
            partlyWrittenBack += IsDuringWriteback(image) && recovered.CommittedEntries is > 0 and < WrittenBlocks ? 1 : 0;
        });

        // Some crashes came after writeback had freed part of the blocks: those were read from the origin.
        Assert.True(partlyWrittenBack > 0, "no crash image had blocks both in the cache and only on the origin");
    }

    [Fact]
    public async Task AnOriginWhoseFlushesLieLosesBlocksAndTheSuiteSeesIt()
    {
        // Negative control for the origin model: if the origin's FUA and flush made nothing durable, freeing the
        // entries after writeback would lose the blocks. The same check must then find a counterexample.
        CacheSetup setup = CacheSetup.Blocks4096;
        await using var check = new RecoveryCheck(setup);

        CrashExploration exploration = await CrashRun.ExploreAsync(PmemModel.X64, setup, WritingBack(setup, originFlushesAreDurable: false), check.CheckAsync);

        CrashCounterexample counterexample = Assert.IsType<CrashCounterexample>(exploration.FirstFailure);
        Assert.Contains($"version {BlockPattern.InitialVersion}", counterexample.Failure.Message, StringComparison.Ordinal);
        Assert.Contains("durable: version 1", counterexample.Failure.Message, StringComparison.Ordinal);
    }

    private const int WrittenBlocks = 8;

    /// <summary>Eight blocks written and flushed, then the <c>flush</c> message writes them all back.</summary>
    private static Func<SimulatedPmem, Task> WritingBack(CacheSetup setup, bool originFlushesAreDurable = true)
    {
        WorkloadStep[] steps = [new WriteStep(0, WrittenBlocks / 2, Fua: false), new WriteStep(WrittenBlocks / 2, WrittenBlocks / 2, Fua: false), new FlushStep(), new WritebackStep()];
        return CacheScenario.Over(setup, (cache, pmem) => WorkloadRunner.RunAsync(cache, pmem, steps), originFlushesAreDurable);
    }

    private static bool IsDuringWriteback(CrashImage image) => image.Acknowledged.OfType<FlushCompleted>().Any();
}
