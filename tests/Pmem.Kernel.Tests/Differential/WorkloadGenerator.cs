namespace Pmem.Kernel.Tests.Differential;

/// <summary>
/// Generates a <see cref="Workload"/> from a seed: mode and block size from the seed (seed mod 4 walks p/s ×
/// 4096/512), 3-5 phases of 5-12 steps: writes of 1-64 blocks (half of them over recently written blocks, so
/// committed and uncommitted blocks are overwritten), FUA writes, flushes, discards, reads, the messages flush, cleaner,
/// clear_stats and flush_on_suspend, suspend/resume, and suspend/reload/resume with other optional arguments.
/// </summary>
/// <remarks>
/// Writeback is kept from racing the workload, so every counter is deterministic: every table has
/// <c>high_watermark 100</c> (writeback never starts on its own), <c>autocommit_time</c> and <c>max_age</c> at an hour;
/// writeback runs only inside a <c>flush</c> message (which waits for it), and <c>cleaner</c> (message or table
/// argument) is always followed by a <c>flush</c> message. The generator bounds the blocks written between two
/// write-backs to half the cache, inserting a <c>flush</c> message where needed, so the cache never fills (a full
/// pmem cache would wait for writeback forever).
/// <para>
/// Kernel bug (6.1, p mode): an O_DIRECT read spanning [cached, uncached, cached] blocks returns zeros for the trailing
/// cached blocks and counts them as misses; s mode and ours return the data and count hits. In p mode the generator
/// therefore tracks which blocks may be cached and shortens every read that could span such a pattern to one block,
/// counting how many it shortened (<see cref="Workload.ShortenedReads"/>); the suite compares what the kernel should
/// return, never the bug.
/// </para>
/// </remarks>
internal static class WorkloadGenerator
{
    private const int MaxWriteBlocks = 64;
    private const int DiscardAlignment = 4096; // QEMU's virtio-blk discards whole 4 KiB blocks of the origin file

    public static Workload Generate(int seed)
    {
        var random = new Random(seed);
        string mode = seed % 2 == 0 ? "p" : "s";
        int blockSize = seed / 2 % 2 == 0 ? 4096 : 512;
        long originBlocks = Workload.OriginSize / blockSize;
        long payloadBlocks = Workload.PayloadSize / blockSize;
        long writeBudget = Workload.CacheSize / (blockSize + 16) / 2;
        int discardStep = Math.Max(1, DiscardAlignment / blockSize);
        var model = new CacheModel();
        var ops = new List<WorkloadOp>();
        string initialArguments = OptionalArguments(random, mode);
        string arguments = initialArguments;
        bool around = AroundMode(arguments);
        bool flushOnSuspend = false;
        long written = 0;
        var recent = new List<(long Block, int Blocks)>();
        int shortened = 0;

        void WriteBack()
        {
            ops.Add(new WorkloadOp(OpKind.Message, Text: "flush"));
            model.Clear();
            written = 0;
        }

        void Suspend()
        {
            if (flushOnSuspend)
            {
                model.Clear();
                written = 0;
                flushOnSuspend = false;
            }
        }

        int phases = random.Next(3, 6);
        for (int phase = 0; phase < phases; phase++)
        {
            int steps = random.Next(5, 13);
            for (int step = 0; step < steps; step++)
            {
                int roll = random.Next(100);
                if (roll < 50)
                {
                    int blocks = random.Next(1, MaxWriteBlocks + 1);
                    (long Block, int Blocks) earlier = recent.Count > 0 ? recent[random.Next(recent.Count)] : (0, 0);
                    long block = recent.Count > 0 && random.Next(2) == 0
                        ? Math.Max(0, earlier.Block + random.Next(-blocks + 1, earlier.Blocks))
                        : random.NextInt64(originBlocks);
                    block = Math.Min(block, originBlocks - blocks);
                    if (written + blocks > writeBudget)
                    {
                        WriteBack();
                    }

                    written += blocks;
                    ops.Add(new WorkloadOp(roll < 40 ? OpKind.Write : OpKind.FuaWrite, block, blocks, random.NextInt64(payloadBlocks - blocks + 1)));
                    model.Written(block, blocks, around);
                    recent.Add((block, blocks));
                }
                else if (roll < 58)
                {
                    ops.Add(new WorkloadOp(OpKind.Flush));
                }
                else if (roll < 65)
                {
                    int blocks = discardStep * random.Next(1, (int)Math.Max(2, 32 / discardStep));
                    long block = random.NextInt64(originBlocks / discardStep - blocks / discardStep + 1) * discardStep;
                    ops.Add(new WorkloadOp(OpKind.Discard, block, blocks));
                    model.Discarded(block, blocks);
                }
                else if (roll < 80)
                {
                    int blocks = random.Next(1, MaxWriteBlocks + 1);
                    long block = random.NextInt64(originBlocks - blocks + 1);
                    if (mode == "p" && blocks > 1 && !model.SafeToReadInPmemMode(block, blocks))
                    {
                        blocks = 1;
                        shortened++;
                    }

                    ops.Add(new WorkloadOp(OpKind.Read, block, blocks));
                }
                else if (roll < 84)
                {
                    WriteBack();
                }
                else if (roll < 87)
                {
                    ops.Add(new WorkloadOp(OpKind.Message, Text: "clear_stats"));
                }
                else if (roll < 90)
                {
                    ops.Add(new WorkloadOp(OpKind.Message, Text: "flush_on_suspend"));
                    flushOnSuspend = true;
                }
                else if (roll < 92)
                {
                    ops.Add(new WorkloadOp(OpKind.Message, Text: "cleaner"));
                    around = true;
                    WriteBack();
                }
                else if (roll < 95)
                {
                    ops.Add(new WorkloadOp(OpKind.SuspendResume));
                    Suspend();
                }
                else
                {
                    arguments = OptionalArguments(random, mode);
                    ops.Add(new WorkloadOp(OpKind.Reload, Text: arguments));
                    Suspend();
                    around = AroundMode(arguments);
                    if (arguments.Contains("cleaner", StringComparison.Ordinal))
                    {
                        WriteBack();
                    }
                }
            }

            ops.Add(new WorkloadOp(OpKind.Checkpoint));
        }

        return new Workload(seed, mode, blockSize, initialArguments, ops, shortened);
    }

    private static bool AroundMode(string arguments) => arguments.Contains("cleaner", StringComparison.Ordinal) || arguments.Contains("metadata_only", StringComparison.Ordinal);

    /// <summary>Optional arguments that keep writeback from starting by itself, with a random choice of the others.</summary>
    private static string OptionalArguments(Random random, string mode)
    {
        var words = new List<string> { "high_watermark", "100", "low_watermark", random.Next(3) switch { 0 => "0", 1 => "50", _ => "90" } };
        if (random.Next(2) == 0)
        {
            words.AddRange(["writeback_jobs", random.Next(3) switch { 0 => "1", 1 => "16", _ => "1024" }]);
        }

        if (random.Next(2) == 0)
        {
            words.AddRange(["autocommit_blocks", random.Next(3) switch { 0 => "4", 1 => "64", _ => "100000" }]);
        }

        words.AddRange(["autocommit_time", "3600000"]);
        if (random.Next(3) == 0)
        {
            words.AddRange(["max_age", "3600000"]);
        }

        if (random.Next(8) == 0)
        {
            words.Add("cleaner");
        }

        if (random.Next(6) == 0)
        {
            words.Add("metadata_only");
        }

        if (mode == "p" && random.Next(3) == 0)
        {
            words.Add(random.Next(2) == 0 ? "fua" : "nofua");
        }

        if (mode == "s" && random.Next(3) == 0)
        {
            words.AddRange(["pause_writeback", random.Next(2) == 0 ? "0" : "2000"]);
        }

        return string.Join(' ', words);
    }
}
