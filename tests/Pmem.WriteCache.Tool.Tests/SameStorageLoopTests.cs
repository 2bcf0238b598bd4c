namespace Pmem.WriteCache.Tool.Tests;

/// <summary>
/// The same-storage guard through real loop devices: a loop device over the origin file, and a partition of the
/// cache's disk. Skipped, with the reason, where loop devices cannot be made (not root, no loop module); the sysfs
/// rules are also tested against a fake sysfs in Pmem.BlockDevices.Tests.
/// </summary>
public sealed class SameStorageLoopTests
{
    [Theory]
    [InlineData("serve")]
    [InlineData("format")]
    [InlineData("check")]
    [InlineData("flush")]
    public async Task A_loop_device_over_the_origin_is_refused_as_the_cache(string command)
    {
        using var scratch = new Scratch();
        string origin = Scratch.CreateFile(scratch.PathOf("origin.img"), 64 << 20);
        await using LoopDevice loop = await LoopDevice.AttachOrSkipAsync(origin);
        string before = Scratch.Hash(origin);
        string[] extra = command == "serve" ? ["--socket", scratch.PathOf("nbd.sock")] : [];
        ProgramResult result = await Tool.RunAsync([command, "s", origin, loop.Path, "4096", "0", .. extra], null);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"the origin '{origin}' and the cache '{loop.Path}' are the same storage", result.StandardError);
        Assert.Contains("of loop device", result.StandardError);
        Assert.Equal(before, Scratch.Hash(origin));
    }

    [Fact]
    public async Task A_partition_is_refused_with_its_disk_but_two_partitions_are_accepted()
    {
        using var scratch = new Scratch();
        string image = Scratch.CreateFile(scratch.PathOf("disk.img"), 64 << 20);
        LoopDevice.WritePartitionTable(image, (2048, 65536), (67584, 63488));
        await using LoopDevice loop = await LoopDevice.AttachOrSkipAsync(image);
        string[] partitions = await loop.AddPartitionsOrSkipAsync(2);
        ProgramResult refused = await Tool.RunAsync("format", "s", partitions[0], loop.Path, "4096", "0");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("are the same storage", refused.StandardError);
        Assert.Contains("(partition ", refused.StandardError);

        ProgramResult accepted = await Tool.RunAsync("check", "s", partitions[0], partitions[1], "4096", "0");
        Assert.True(accepted.ExitCode == 0, accepted.Describe());
        Assert.Contains("not formatted", accepted.StandardOutput);
    }
}
