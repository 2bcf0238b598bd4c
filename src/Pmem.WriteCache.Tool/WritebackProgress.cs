using System.Globalization;

namespace Pmem.WriteCache.Tool;

/// <summary>
/// Shows how far a writeback (offline <c>flush</c>, <c>message flush</c>, <c>message cleaner</c>) has got, on stderr:
/// one updating line on a terminal, a line per second otherwise, so logs stay readable.
/// </summary>
internal sealed class WritebackProgress
{
    private static readonly TimeSpan TerminalInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(1);
    private readonly TextWriter _output;
    private readonly bool _terminal;
    private long _initialDirty;

    public WritebackProgress(TextWriter? output = null)
    {
        _output = output ?? Console.Error;
        _terminal = output is null && !Console.IsErrorRedirected;
    }

    /// <summary>
    /// Polls <paramref name="status"/> and reports progress until <paramref name="work"/> completes, or — when
    /// <paramref name="work"/> is null — until nothing is dirty any more or <paramref name="timeout"/> passes.
    /// </summary>
    /// <returns>Whether everything was written back.</returns>
    /// <param name="before">The status before the work started: progress counts from its dirty blocks.</param>
    public async Task<bool> RunAsync(WriteCacheStatus before, Func<Task<WriteCacheStatus>> status, Task? work, TimeSpan timeout)
    {
        _initialDirty = before.Blocks - before.FreeBlocks;
        TimeSpan interval = _terminal ? TerminalInterval : LogInterval;
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            WriteCacheStatus now = await status();
            bool finished = work is null ? now.Blocks == now.FreeBlocks && now.WritebackBlocks == 0 : work.IsCompleted;
            if (finished || DateTime.UtcNow >= deadline)
            {
                if (work is not null)
                {
                    await work;
                    now = await status();
                }

                long dirty = Report(now);
                if (_terminal)
                {
                    _output.WriteLine();
                }

                return dirty == 0;
            }

            Report(now);
            Task tick = Task.Delay(interval);
            await (work is null ? tick : Task.WhenAny(work, tick));
        }
    }

    private long Report(WriteCacheStatus status)
    {
        long dirty = status.Blocks - status.FreeBlocks;
        long done = Math.Max(0, _initialDirty - dirty);
        double percent = _initialDirty == 0 ? 100 : 100.0 * done / _initialDirty;
        string line = string.Create(CultureInfo.InvariantCulture,
            $"writeback: {done}/{_initialDirty} blocks written back ({percent:0}%), {dirty} dirty, {status.WritebackBlocks} in flight");
        _output.Write(_terminal ? "\r" + line.PadRight(78) : line + Environment.NewLine);
        return dirty;
    }
}
