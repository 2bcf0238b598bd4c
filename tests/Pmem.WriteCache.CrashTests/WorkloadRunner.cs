using Pmem.Testing;

namespace Pmem.WriteCache.CrashTests;

/// <summary>Sends a workload's requests to the cache one at a time, acknowledging each as the block layer would see it.</summary>
internal static class WorkloadRunner
{
    public static async Task RunAsync(WriteCacheDevice cache, SimulatedPmem pmem, IEnumerable<WorkloadStep> steps, int firstVersion = 1)
    {
        int blockSize = cache.LogicalBlockSize;
        int version = firstVersion;
        int flushes = 0;
        foreach (WorkloadStep step in steps)
        {
            switch (step)
            {
                case WriteStep write:
                    int thisVersion = version++;
                    pmem.Acknowledge(new WriteIssued(write.FirstBlock, write.Count, thisVersion, write.Fua));
                    await cache.WriteAsync(write.FirstBlock * blockSize, BlockPattern.Make(write.FirstBlock, thisVersion, blockSize, write.Count),
                        write.Fua ? WriteCacheWriteFlags.ForceUnitAccess : WriteCacheWriteFlags.None);
                    if (write.Fua)
                    {
                        pmem.Acknowledge(new FuaCompleted(write.FirstBlock, write.Count, thisVersion));
                    }

                    break;
                case FlushStep:
                    await cache.FlushAsync();
                    pmem.Acknowledge(new FlushCompleted(++flushes));
                    break;
                case DiscardStep discard:
                    pmem.Acknowledge(new DiscardIssued(discard.FirstBlock, discard.Count));
                    await cache.DiscardAsync(discard.FirstBlock * blockSize, (long)discard.Count * blockSize);
                    break;
                case WritebackStep:
                    await cache.SendMessageAsync("flush");
                    pmem.Acknowledge(new FlushCompleted(++flushes));
                    break;
                default:
                    throw new ArgumentException($"Unknown step {step}.", nameof(steps));
            }
        }
    }
}
