namespace Pmem.BlockDevices.Tests;

/// <summary>
/// <see cref="DeviceIdentity"/> on real loop devices and their partitions, when this machine can make them (root, the
/// loop module); otherwise skipped with the reason, and <see cref="DeviceIdentitySysfsTests"/> covers the same rules.
/// </summary>
public sealed class DeviceIdentityLoopTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pmem-identity-loop-").FullName;

    [Fact]
    public async Task A_loop_device_overlaps_its_backing_file_and_a_symlink_to_it()
    {
        string file = NewImage("disk.img");
        await using LoopDevice loop = await LoopDevice.AttachOrSkipAsync(file);
        string link = Path.Combine(_directory, "disk-link.img");
        File.CreateSymbolicLink(link, file);
        Assert.True(DeviceIdentity.Of(loop.Path).Overlaps(DeviceIdentity.Of(file), out string? why));
        Assert.Contains("of loop device", why);
        Assert.True(DeviceIdentity.Of(link).Overlaps(DeviceIdentity.Of(loop.Path)));
        Assert.False(DeviceIdentity.Of(loop.Path).Overlaps(DeviceIdentity.Of(NewImage("other.img"))));
    }

    [Fact]
    public async Task Partitions_of_a_loop_device_overlap_the_disk_and_not_each_other()
    {
        string file = NewImage("parted.img");
        LoopDevice.WritePartitionTable(file, (2048, 8192), (10240, 22528));
        await using LoopDevice loop = await LoopDevice.AttachOrSkipAsync(file);
        string[] partitions = await loop.AddPartitionsOrSkipAsync(2);
        DeviceIdentity first = DeviceIdentity.Of(partitions[0]);
        Assert.True(first.Overlaps(DeviceIdentity.Of(loop.Path), out string? overlap));
        Assert.Contains("bytes 1048576-5242879 of disk", overlap);
        Assert.True(first.Overlaps(DeviceIdentity.Of(file)), "a partition of a loop device is part of its backing file");
        Assert.False(first.Overlaps(DeviceIdentity.Of(partitions[1])));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string NewImage(string name)
    {
        string path = Path.Combine(_directory, name);
        using (var stream = new FileStream(path, FileMode.CreateNew))
        {
            stream.SetLength(16 << 20);
        }

        return path;
    }
}
