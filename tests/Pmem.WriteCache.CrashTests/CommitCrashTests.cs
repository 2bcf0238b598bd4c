using Pmem.Testing;

namespace Pmem.WriteCache.CrashTests;

/// <summary>The commit protocol: data and entries flushed and fenced, then seq_count published.</summary>
public sealed class CommitCrashTests
{
    private const string PublishMethod = "PmemCacheStore.PublishSeqCountAsync";

    public static TheoryData<PmemModel> Models => [PmemModel.X64, PmemModel.Arm64];

    [Theory]
    [MemberData(nameof(Models))]
    public async Task ACrashBetweenTheDataFlushAndThePublishLosesOnlyTheUncommittedBatch(PmemModel model)
    {
        CacheSetup setup = CacheSetup.Blocks4096;
        // Batch A (version 1, blocks 0-3) is committed; batch B (version 2, blocks 2-5) overwrites two committed
        // blocks and adds two, then is flushed.
        WorkloadStep[] steps = [new WriteStep(0, 4, Fua: false), new FlushStep(), new WriteStep(2, 4, Fua: false), new FlushStep()];
        const int BatchB = 2;
        await using var check = new RecoveryCheck(setup);
        int batchLost = 0;
        int batchKept = 0;

        await CrashRun.AssertConsistentAsync(model, setup, CacheScenario.Over(setup, (cache, pmem) => WorkloadRunner.RunAsync(cache, pmem, steps)), async image =>
        {
            RecoveredCache recovered = await check.CheckAsync(image);
            if (image.CrashPoint.Location?.Method != PublishMethod || !image.Acknowledged.OfType<WriteIssued>().Any(write => write.Version == BatchB))
            {
                return;
            }

            int blocksOfB = Enumerable.Range(2, 4).Count(block => BlockPattern.Matches(recovered.Block(block), block, BatchB));
            Assert.True(blocksOfB is 0 or 4, $"batch B recovered in part: {blocksOfB} of its 4 blocks");
            Assert.True(Enumerable.Range(0, 2).All(block => BlockPattern.Matches(recovered.Block(block), block, 1)), "batch A was not kept");
            batchLost += blocksOfB == 0 ? 1 : 0;
            batchKept += blocksOfB == 4 ? 1 : 0;
        });

        // The crash point just before the publish's fence admits both: seq_count persisted (B committed) or not (B lost).
        Assert.True(batchLost > 0, "no image at the publish lost batch B");
        Assert.True(batchKept > 0, "no image at the publish kept batch B");
    }
}
