namespace Pmem.TestSupport;

/// <summary>
/// A real loop device over a file (<c>losetup</c>), optionally with the partitions of an MBR written into the file
/// (<c>partx --add</c>: the kernel's own partition scan is not built into every kernel). Detached at dispose.
/// </summary>
public sealed class LoopDevice : IAsyncDisposable
{
    private bool _hasPartitions;

    private LoopDevice(string path) => Path = path;

    public string Path { get; }

    /// <summary>Attaches <paramref name="file"/>, or returns null with the reason this machine cannot (the test then skips, printing it).</summary>
    public static async Task<(LoopDevice? Device, string? Reason)> TryAttachAsync(string file)
    {
        if (Environment.UserName != "root")
        {
            return (null, "loop devices need root");
        }

        ProgramResult attach = await ExternalProgram.RunAsync("losetup", ["--find", "--show", file]);
        return attach.ExitCode == 0
            ? (new LoopDevice(attach.StandardOutput.Trim()), null)
            : (null, $"'losetup --find --show' failed here (no loop module or no free device?): {attach.StandardError.Trim()}");
    }

    /// <summary>Writes an MBR with one partition per (start, sectors) into the first sector of <paramref name="file"/>.</summary>
    public static void WritePartitionTable(string file, params (uint Start, uint Sectors)[] partitions)
    {
        byte[] mbr = new byte[512];
        for (int i = 0; i < partitions.Length; i++)
        {
            Span<byte> entry = mbr.AsSpan(446 + (16 * i), 16);
            entry[4] = 0x83; // Linux
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], partitions[i].Start);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], partitions[i].Sectors);
        }

        mbr[510] = 0x55;
        mbr[511] = 0xAA;
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Write);
        stream.Write(mbr);
    }

    /// <summary>Adds the partitions of the table in the device's first sector; returns their nodes, or the reason it cannot.</summary>
    public async Task<(string[]? Partitions, string? Reason)> TryAddPartitionsAsync(int count)
    {
        ProgramResult added = await ExternalProgram.RunAsync("partx", ["--add", Path]);
        _hasPartitions = true;
        string[] nodes = [.. Enumerable.Range(1, count).Select(i => $"{Path}p{i}")];
        if (added.ExitCode != 0)
        {
            return (null, $"'partx --add {Path}' failed: {added.StandardError.Trim()}");
        }

        // devtmpfs creates the nodes as the kernel adds the partitions; give it a bounded moment.
        for (int attempt = 0; attempt < 100 && !nodes.All(File.Exists); attempt++)
        {
            await Task.Delay(50);
        }

        return nodes.All(File.Exists) ? (nodes, null) : (null, $"the partition nodes {string.Join(", ", nodes)} did not appear (no devtmpfs?)");
    }

    public async ValueTask DisposeAsync()
    {
        if (_hasPartitions)
        {
            // Partitions added with partx outlive the detach; the next user of this loop device would meet them.
            await ExternalProgram.RunAsync("partx", ["--delete", Path]);
        }

        await ExternalProgram.RunAsync("losetup", ["--detach", Path]);
    }
}
