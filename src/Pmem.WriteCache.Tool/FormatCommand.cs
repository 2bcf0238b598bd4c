using System.CommandLine;
using Microsoft.Extensions.Logging;
using Pmem.BlockDevices;
using Pmem.WriteCache.Format;

namespace Pmem.WriteCache.Tool;

/// <summary>
/// <c>pmem-writecache format [--force] &lt;table line&gt;</c>: writes a fresh, empty cache. Refuses, writing nothing,
/// when the device holds dirty blocks, is not a writecache of that block size, or is corrupt — unless forced.
/// </summary>
internal static class FormatCommand
{
    public static Command Create()
    {
        var table = TableLineArgument.Create(optional: false);
        var force = new Option<bool>("--force") { Description = "Format even if the cache holds dirty blocks, another format or corrupt metadata (their data is lost)." };
        var command = new Command("format", "Format the cache device of a table line as an empty dm-writecache.");
        command.Arguments.Add(table);
        command.Options.Add(force);
        command.SetAction((parse, _) => CommandRunner.RunAsync(async () =>
        {
            WriteCacheTable parsed = TableLineArgument.Parse(parse.GetValue(table)!, command);
            await DeviceGuard.CheckAsync(parsed);
            bool forced = parse.GetValue(force);
            bool formatted = await GuardAsync(parsed, forced);
            if (formatted)
            {
                await EraseSuperblockAsync(parsed);
            }

            using ILoggerFactory logging = ToolLogging.Create(LogLevel.Warning);
            await using WriteCacheDevice cache = await WriteCacheDevice.OpenAsync(parsed.ToString(), new ToolDeviceResolver(logging.CreateLogger("pmem-writecache")));
            Console.WriteLine($"{parsed.Cache}: formatted, {cache.BlockCount} blocks of {cache.LogicalBlockSize} bytes.");
            return ToolExitCode.Success;
        }));
        return command;
    }

    /// <summary>Refuses (with nothing written) what only --force may destroy; returns whether a format is already there.</summary>
    private static async Task<bool> GuardAsync(WriteCacheTable table, bool force)
    {
        CacheInspection inspection;
        try
        {
            inspection = await CheckCommand.InspectAsync(table, ToolExitCode.Corrupt);
        }
        catch (ToolException e) when (e.ExitCode == ToolExitCode.Corrupt)
        {
            return force
                ? true
                : throw new ToolException($"{e.Message} Pass --force to format it anyway.", ToolExitCode.Corrupt, e);
        }

        if (inspection.DirtyBlocks.Count > 0 && !force)
        {
            throw new ToolException(
                $"{table.Cache} holds {inspection.DirtyBlocks.Count} dirty blocks the origin does not have; formatting would lose them. "
                + "Run 'pmem-writecache flush' first, or pass --force. Nothing was written.", ToolExitCode.BadInput);
        }

        return !inspection.Unformatted;
    }

    /// <summary>Zeroes the superblock, so the engine formats the device as it does a new one (magic written last).</summary>
    private static async Task EraseSuperblockAsync(WriteCacheTable table)
    {
        await using FileBlockDevice cache = FileBlockDevice.Open(table.Cache);
        await cache.WriteAsync(table.Options.StartOffset, new byte[WriteCacheOptions.SectorSize], BlockWriteFlags.ForceUnitAccess);
        await cache.FlushAsync();
    }
}
