using Pmem.TestSupport;
using Pmem.WriteCache.Engine;

namespace Pmem.WriteCache.Tests;

/// <summary>The cache's lock: mutual exclusion under contention, waiters served in order, the synchronous wait.</summary>
public sealed class AsyncLockTests
{
    [Fact]
    public async Task ExcludesEveryOtherHolderUnderContention()
    {
        var gate = new AsyncLock();
        int inside = 0, maxInside = 0;
        long counter = 0;

        async Task Worker()
        {
            for (int i = 0; i < 2_000; i++)
            {
                await gate.WaitAsync();
                try
                {
                    maxInside = Math.Max(maxInside, Interlocked.Increment(ref inside));
                    long seen = counter; // a lost update shows if two hold it at once
                    if (i % 64 == 0)
                    {
                        await Task.Yield();
                    }

                    counter = seen + 1;
                    Interlocked.Decrement(ref inside);
                }
                finally
                {
                    gate.Release();
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(Worker)));
        Assert.Equal((8 * 2_000L, 1), (counter, maxInside));
    }

    [Fact]
    public async Task WaitersGetTheLockInArrivalOrder()
    {
        var gate = new AsyncLock();
        await gate.WaitAsync();
        var order = new List<int>();
        Task[] waiters = [.. Enumerable.Range(0, 5).Select(async n =>
        {
            ValueTask taken = gate.WaitAsync(); // queued in this order: the continuations run later
            await taken;
            order.Add(n);
            gate.Release();
        })];

        Assert.DoesNotContain(waiters, w => w.IsCompleted);
        gate.Release();
        await Task.WhenAll(waiters);
        Assert.Equal([0, 1, 2, 3, 4], order);
    }

    [Fact]
    public async Task SynchronousWaitBlocksUntilReleased()
    {
        var gate = new AsyncLock();
        await gate.WaitAsync();
        Task blocked = Task.Run(gate.Wait);
        await Eventually.UntilAsync(() => gate.WaiterCount == 1, TimeSpan.FromSeconds(10), "the synchronous waiter queued");
        Assert.False(blocked.IsCompleted); // queued behind the holder: only the release below lets it through
        gate.Release();
        await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        gate.Release();
        await gate.WaitAsync(); // free again
    }
}
