using System.Diagnostics;
using Pmem.BlockDevices;
using Pmem.Nbd.Client;

namespace Pmem.WriteCache.Tool.Tests;

/// <summary>
/// Power cut: writers write self-describing blocks and flush after each write; the server is killed with SIGKILL at
/// a random moment, restarted on the same devices, and every write a completed flush acknowledged must read back
/// intact (a write whose flush did not complete may read back old or new, never torn).
/// <c>PMEM_POWER_CUT_ITERATIONS</c> sets the iterations per mode (CI: 20; long mode: 100 or more).
/// </summary>
public sealed class PowerCutTests(ITestOutputHelper output)
{
    private const int Writers = 4;
    private const int BlocksUsed = 4096; // 16 MiB of the origin: overwrites are frequent, the 4 MiB cache fills and writes back
    private const int MinimumRunMilliseconds = 50;
    private const int MaximumRunMilliseconds = 400;

    [Theory]
    [InlineData("p")]
    [InlineData("s")]
    public async Task Every_write_acknowledged_by_a_completed_flush_survives_sigkill(string mode)
    {
        int iterations = int.TryParse(Environment.GetEnvironmentVariable("PMEM_POWER_CUT_ITERATIONS"), out int configured) && configured > 0 ? configured : 20;
        using var scratch = new Scratch();
        var setup = CacheSetup.Create(scratch, mode, originSize: 64 << 20, cacheSize: 4 << 20);
        var writes = new AcknowledgedWrites();
        var random = new Random(mode == "p" ? 1 : 2);
        int generation = 0;
        long checkedBlocks = 0, acknowledgedWrites = 0;
        var clock = Stopwatch.StartNew();
        ServedCache served = await setup.ServeAsync();
        try
        {
            for (int iteration = 1; iteration <= iterations; iteration++)
            {
                await using (NbdBlockDevice client = await NbdBlockDevice.ConnectAsync(served.Uri))
                {
                    using var stop = new CancellationTokenSource();
                    Task<int>[] writers = [.. Enumerable.Range(0, Writers).Select(w => WriteUntilCutAsync(client, w, writes, () => Interlocked.Increment(ref generation), stop.Token))];
                    await Task.Delay(random.Next(MinimumRunMilliseconds, MaximumRunMilliseconds));
                    await served.KillAsync(); // the power cut
                    await stop.CancelAsync();
                    acknowledgedWrites += (await Task.WhenAll(writers)).Sum();
                }

                await served.DisposeAsync();
                served = await setup.ServeAsync();
                checkedBlocks += await VerifyAsync(served.Uri, writes);
            }

            Assert.Equal(0, await served.StopAsync());
            ProgramResult check = (await setup.RunAsync("check", "--summary")).Succeeded();
            output.WriteLine($"power cut, mode {mode}: {iterations} iterations, {acknowledgedWrites} flushed writes acknowledged, {checkedBlocks} block checks, 0 failures, {clock.Elapsed.TotalSeconds:0.0} s; check: {check.StandardOutput.Trim()}");
            Assert.True(acknowledgedWrites >= iterations, $"only {acknowledgedWrites} writes were acknowledged in {iterations} iterations: the test did not exercise the server");
        }
        finally
        {
            await served.DisposeAsync();
        }
    }

    /// <summary>Writes and flushes blocks owned by writer <paramref name="writer"/> until the connection dies.</summary>
    /// <returns>Writes acknowledged by a completed flush.</returns>
    private static async Task<int> WriteUntilCutAsync(NbdBlockDevice client, int writer, AcknowledgedWrites writes, Func<int> nextGeneration, CancellationToken stop)
    {
        var random = new Random(writer + Environment.TickCount);
        int acknowledged = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                int block = (random.Next(BlocksUsed / Writers) * Writers) + writer;
                int generation = nextGeneration();
                writes.Issued(block, generation);
                await client.WriteAsync((long)block * BlockPattern.Size, BlockPattern.Create(block, generation), BlockWriteFlags.None, stop);
                await client.FlushAsync(stop);
                writes.Flushed(block, generation);
                acknowledged++;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BlockDeviceException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The server is gone: what was not acknowledged stays in doubt.
        }

        return acknowledged;
    }

    private static async Task<long> VerifyAsync(string uri, AcknowledgedWrites writes)
    {
        await using NbdBlockDevice client = await NbdBlockDevice.ConnectAsync(uri);
        byte[] buffer = new byte[BlockPattern.Size];
        var failures = new List<string>();
        IReadOnlyList<int> blocks = writes.Blocks();
        foreach (int block in blocks)
        {
            await client.ReadAsync((long)block * BlockPattern.Size, buffer);
            if (writes.Verify(block, BlockPattern.GenerationOf(block, buffer)) is { } failure)
            {
                failures.Add(failure);
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} acknowledged writes lost or torn:\n{string.Join('\n', failures.Take(20))}");
        return blocks.Count;
    }
}
