using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace Pmem.WriteCache.Tool;

/// <summary><c>pmem-writecache flush &lt;table line&gt;</c>: writes every dirty block of a cache that is not being served back to its origin.</summary>
internal static class FlushCommand
{
    public static Command Create()
    {
        var table = TableLineArgument.Create(optional: false);
        var command = new Command("flush", "Offline write-back: open the cache of a table line (not while it is served), write every dirty block back to the origin, and close it clean.");
        command.Arguments.Add(table);
        command.SetAction((parse, _) => CommandRunner.RunAsync(async () =>
        {
            WriteCacheTable parsed = TableLineArgument.Parse(parse.GetValue(table)!, command);
            await DeviceGuard.CheckAsync(parsed);
            using ILoggerFactory logging = ToolLogging.Create(LogLevel.Warning);
            await using WriteCacheDevice cache = await WriteCacheDevice.OpenAsync(parsed.ToString(), new ToolDeviceResolver(logging.CreateLogger("pmem-writecache")));
            WriteCacheStatus before = cache.GetStatus();
            long dirty = before.Blocks - before.FreeBlocks;
            Task flushing = cache.SendMessageAsync("flush");
            await new WritebackProgress().RunAsync(before, () => Task.FromResult(cache.GetStatus()), flushing, Timeout.InfiniteTimeSpan);
            WriteCacheStatus after = cache.GetStatus();
            Console.WriteLine($"{parsed.Cache}: wrote back {dirty - (after.Blocks - after.FreeBlocks)} blocks to {parsed.Origin}; {after.Blocks - after.FreeBlocks} dirty blocks left.");
            return after.Blocks == after.FreeBlocks ? ToolExitCode.Success : ToolExitCode.Failed;
        }));
        return command;
    }
}
