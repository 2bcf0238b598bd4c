using System.CommandLine;
using System.Globalization;
using Pmem.BlockDevices;
using Pmem.WriteCache.Format;

namespace Pmem.WriteCache.Tool;

/// <summary>
/// <c>pmem-writecache check &lt;table line&gt;</c>: the fsck of a cache device. Validates the superblock and every
/// entry by the kernel's recovery rules and lists the dirty blocks; reads only.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var table = TableLineArgument.Create(optional: false);
        var summary = new Option<bool>("--summary") { Description = "Print the summary only, not every dirty block." };
        var command = new Command("check", "Validate a cache device (read-only) and list its dirty blocks; exit 3 on corruption.");
        command.Arguments.Add(table);
        command.Options.Add(summary);
        command.SetAction((parse, _) => CommandRunner.RunAsync(async () =>
        {
            WriteCacheTable parsed = TableLineArgument.Parse(parse.GetValue(table)!, command);
            await DeviceGuard.CheckAsync(parsed);
            CacheInspection inspection = await InspectAsync(parsed, corruptionExitCode: ToolExitCode.Corrupt);
            Print(parsed, inspection, listBlocks: !parse.GetValue(summary));
            return ToolExitCode.Success;
        }));
        return command;
    }

    /// <summary>
    /// Reads the cache device of <paramref name="table"/> without writing. A superblock that does not match or
    /// entries that are inconsistent throw <see cref="ToolException"/> with <paramref name="corruptionExitCode"/>.
    /// </summary>
    public static async Task<CacheInspection> InspectAsync(WriteCacheTable table, int corruptionExitCode)
    {
        long originLength;
        await using (IBlockDevice origin = ToolDeviceResolver.OpenPlainOrigin(table.Origin, readOnly: true))
        {
            originLength = origin.Length;
        }

        await using IBlockDevice cache = OpenReadOnly(table.Cache);
        CacheInspection inspection;
        try
        {
            inspection = await CacheInspector.InspectAsync(cache, table.Options.StartOffset, table.Options.BlockSize, originLength);
        }
        catch (WriteCacheConfigurationException e) when (e.KernelMessage != "Invalid device size")
        {
            throw new ToolException($"{table.Cache}: writecache: {e.Message}. Nothing was changed.", corruptionExitCode, e);
        }

        return inspection.Corruption is { } corruption
            ? throw new ToolException($"{table.Cache}: {corruption} Nothing was changed.", corruptionExitCode)
            : inspection;
    }

    private static IBlockDevice OpenReadOnly(string path)
    {
        try
        {
            return FileBlockDevice.Open(path, readOnly: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WriteCacheConfigurationException("Cache data device lookup failed", LinuxErrno.ENODEV, $"'{path}': {e.Message}", e);
        }
    }

    private static void Print(WriteCacheTable table, CacheInspection inspection, bool listBlocks)
    {
        if (inspection.Unformatted)
        {
            Console.WriteLine($"{table.Cache}: not formatted (all-zero superblock); it is formatted when first served. Clean.");
            return;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{table.Cache}: dm-writecache, block size {inspection.BlockSize}, {inspection.BlockCount} blocks, seq_count {inspection.SeqCount}"));
        if (inspection.BlockCount < inspection.AreaBlockCount)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  note: n_blocks {inspection.BlockCount} is less than the {inspection.AreaBlockCount} blocks the device holds (grown after it was formatted?); only {inspection.BlockCount} are used, as the kernel does"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  dirty {inspection.DirtyBlocks.Count}, free {inspection.FreeBlocks}, uncommitted {inspection.UncommittedBlocks} (freed when opened), superseded {inspection.SupersededBlocks} (freed when opened)"));
        if (listBlocks)
        {
            foreach (DirtyBlock block in inspection.DirtyBlocks)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  dirty block {block.Index}: origin sector {block.OriginSector}, seq {block.SeqCount}"));
            }
        }

        Console.WriteLine(inspection.DirtyBlocks.Count == 0
            ? "Clean: the origin has every block."
            : $"Consistent: {inspection.DirtyBlocks.Count} dirty blocks to write back ('pmem-writecache flush' or serve it).");
    }
}
