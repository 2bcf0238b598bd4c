namespace Pmem.WriteCache.CrashTests;

/// <summary>Random workloads from a seed: the same seed always gives the same requests.</summary>
internal static class Workload
{
    /// <summary>
    /// <paramref name="steps"/> requests over <paramref name="originBlocks"/> blocks. Half the writes go to a few hot
    /// blocks, so overwrites of uncommitted and of committed blocks are frequent.
    /// </summary>
    public static IReadOnlyList<WorkloadStep> Random(int seed, int originBlocks, int steps)
    {
        var random = new Random(seed);
        int hotBlocks = Math.Min(6, originBlocks);
        var workload = new List<WorkloadStep>(steps);
        for (int i = 0; i < steps; i++)
        {
            int kind = random.Next(100);
            if (kind < 60)
            {
                int count = random.Next(100) < 70 ? 1 : random.Next(2, 5);
                long first = random.Next(100) < 50 ? random.Next(hotBlocks) : random.Next(originBlocks);
                first = Math.Min(first, originBlocks - count);
                workload.Add(new WriteStep(first, count, Fua: random.Next(100) < 25));
            }
            else if (kind < 80)
            {
                workload.Add(new FlushStep());
            }
            else if (kind < 90)
            {
                int count = random.Next(1, 3);
                workload.Add(new DiscardStep(random.Next(originBlocks - count + 1), count));
            }
            else
            {
                workload.Add(new WritebackStep());
            }
        }

        return workload;
    }
}
