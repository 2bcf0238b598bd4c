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

    /// <summary>Attaches <paramref name="file"/>; skips the test, printing the reason, where this machine cannot.</summary>
    public static async Task<LoopDevice> AttachOrSkipAsync(string file)
    {
        Assert.SkipWhen(Environment.UserName != "root", "loop devices need root");
        ProgramResult attach = await ExternalProgram.RunAsync("losetup", ["--find", "--show", file]);
        Assert.SkipWhen(attach.ExitCode != 0, $"'losetup --find --show' failed here (no loop module or no free device?): {attach.StandardError.Trim()}");
        return new LoopDevice(attach.StandardOutput.Trim());
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

    /// <summary>Adds the partitions of the table in the device's first sector and returns their nodes; skips the test, printing the reason, where it cannot.</summary>
    public async Task<string[]> AddPartitionsOrSkipAsync(int count)
    {
        ProgramResult added = await ExternalProgram.RunAsync("partx", ["--add", Path]);
        _hasPartitions = true;
        Assert.SkipWhen(added.ExitCode != 0, $"'partx --add {Path}' failed: {added.StandardError.Trim()}");
        string[] nodes = [.. Enumerable.Range(1, count).Select(i => $"{Path}p{i}")];

        // devtmpfs creates the nodes as the kernel adds the partitions; give it a bounded moment.
        for (int attempt = 0; attempt < 100 && !nodes.All(File.Exists); attempt++)
        {
            await Task.Delay(50);
        }

        Assert.SkipUnless(nodes.All(File.Exists), $"the partition nodes {string.Join(", ", nodes)} did not appear (no devtmpfs?)");
        return nodes;
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
