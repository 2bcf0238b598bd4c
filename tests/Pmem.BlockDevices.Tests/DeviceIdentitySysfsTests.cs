namespace Pmem.BlockDevices.Tests;

/// <summary>
/// <see cref="DeviceIdentity"/> over a fake sysfs: partitions, loop devices, device-mapper stacks and file systems,
/// with device numbers that need no real block device.
/// </summary>
public sealed class DeviceIdentitySysfsTests : IDisposable
{
    private static readonly DeviceNumber Loop0 = new(7, 0);
    private static readonly DeviceNumber Part1 = new(259, 1);
    private static readonly DeviceNumber Part2 = new(259, 2);
    private static readonly DeviceNumber Part3 = new(259, 3);
    private static readonly DeviceNumber Host = new(254, 1);
    private readonly FakeSysfs _fake = new();
    private readonly string _loop0;

    public DeviceIdentitySysfsTests()
    {
        // loop0: 32768 sectors; p1 = sectors 2048..10239, p2 = 10240..32767, p3 = 8192..12287 (overlaps both).
        _loop0 = _fake.AddDisk("loop0", Loop0, 32768);
        _fake.AddPartition(_loop0, "loop0p1", Part1, 1, 2048, 8192);
        _fake.AddPartition(_loop0, "loop0p2", Part2, 2, 10240, 22528);
        _fake.AddPartition(_loop0, "loop0p3", Part3, 3, 8192, 4096);
    }

    [Fact]
    public void A_partition_overlaps_its_disk_and_names_the_byte_range()
    {
        Assert.True(Block("/dev/loop0p1", Part1).Overlaps(Block("/dev/loop0", Loop0), out string? reason));
        Assert.Contains("bytes 1048576-5242879 of disk 7:0 (partition 259:1)", reason);
    }

    [Fact]
    public void Partitions_overlap_only_when_their_ranges_do()
    {
        Assert.False(Block("/dev/loop0p1", Part1).Overlaps(Block("/dev/loop0p2", Part2)));
        Assert.True(Block("/dev/loop0p1", Part1).Overlaps(Block("/dev/loop0p3", Part3)));
        Assert.True(Block("/dev/loop0p3", Part3).Overlaps(Block("/dev/loop0p2", Part2)));
    }

    [Fact]
    public void A_loop_device_overlaps_its_backing_file_named_by_backing_dev_and_backing_inode()
    {
        FakeSysfs.MakeLoop(_loop0, "/images/disk.img", (Host, 77));
        Assert.True(Block("/dev/loop0", Loop0).Overlaps(File("/images/disk.img", Host, 77), out string? reason));
        Assert.Contains("inode 77 of device 254:1 (the backing file '/images/disk.img' of loop device 7:0)", reason);
        Assert.False(Block("/dev/loop0", Loop0).Overlaps(File("/images/other.img", Host, 78)));
    }

    [Fact]
    public void A_loop_device_without_backing_inode_is_matched_by_statting_its_backing_file()
    {
        string backing = Path.Combine(_fake.Root, "backing.img");
        System.IO.File.WriteAllBytes(backing, new byte[4096]);
        FakeSysfs.MakeLoop(_loop0, backing);
        FileStatus real = FileStatus.Get(backing);
        Assert.True(Block("/dev/loop0", Loop0).Overlaps(File(backing, real.Device, real.Inode)));
        Assert.True(Block("/dev/loop0p2", Part2).Overlaps(File(backing, real.Device, real.Inode)), "a partition of a loop device is in its backing file too");
        Assert.False(Block("/dev/loop0p1", Part1).Overlaps(Block("/dev/loop0p2", Part2)), "two partitions reach different bytes of the backing file");
    }

    [Fact]
    public void A_deleted_backing_file_is_not_looked_up()
    {
        string backing = Path.Combine(_fake.Root, "gone.img");
        System.IO.File.WriteAllBytes(backing, new byte[4096]);
        FileStatus real = FileStatus.Get(backing);
        FakeSysfs.MakeLoop(_loop0, backing + " (deleted)");
        Assert.False(Block("/dev/loop0", Loop0).Overlaps(File(backing, real.Device, real.Inode)));
    }

    [Fact]
    public void A_file_overlaps_the_raw_device_its_file_system_is_on_but_not_another_file_there()
    {
        DeviceIdentity onPart1 = File("/mnt/origin.img", Part1, 12);
        Assert.True(onPart1.Overlaps(Block("/dev/loop0p1", Part1), out string? reason));
        Assert.Contains("the file system holding inode 12", reason);
        Assert.True(onPart1.Overlaps(Block("/dev/loop0", Loop0)));
        Assert.False(onPart1.Overlaps(Block("/dev/loop0p2", Part2)));
        Assert.False(onPart1.Overlaps(File("/mnt/cache.img", Part1, 13)), "two files of one file system share its disk, not their blocks");
        Assert.True(onPart1.Overlaps(File("/mnt/hard-link", Part1, 12)));
    }

    [Fact]
    public void A_file_inside_a_loop_devices_file_system_overlaps_the_loops_backing_file()
    {
        FakeSysfs.MakeLoop(_loop0, "/images/fs.img", (Host, 90));
        Assert.True(File("/mnt/loop/origin.img", Part1, 5).Overlaps(File("/images/fs.img", Host, 90)));
    }

    [Fact]
    public void A_device_mapper_device_overlaps_the_devices_under_it()
    {
        var dm0 = new DeviceNumber(253, 0);
        string dm = _fake.AddDisk("dm-0", dm0, 8192);
        FakeSysfs.AddSlave(dm, Path.Combine(_loop0, "loop0p1"));
        Assert.True(Block("/dev/dm-0", dm0).Overlaps(Block("/dev/loop0p1", Part1), out string? reason));
        Assert.Contains("(under 253:0)", reason);
        Assert.True(Block("/dev/dm-0", dm0).Overlaps(Block("/dev/loop0", Loop0)));
        Assert.False(Block("/dev/dm-0", dm0).Overlaps(Block("/dev/loop0p2", Part2)));
    }

    [Fact]
    public void A_device_sysfs_does_not_know_still_matches_itself_only()
    {
        var unknown = new DeviceNumber(8, 16);
        Assert.True(Block("/dev/sdb", unknown).Overlaps(Block("/dev/disk/by-id/x", unknown), out string? reason));
        Assert.Contains("block device 8:16", reason);
        Assert.False(Block("/dev/sdb", unknown).Overlaps(Block("/dev/sdc", new DeviceNumber(8, 32))));
    }

    public void Dispose() => _fake.Dispose();

    private DeviceIdentity Block(string path, DeviceNumber device)
        => DeviceIdentity.From(path, new FileStatus(FileKind.BlockDevice, UnixFileMode.UserRead | UnixFileMode.UserWrite, 0, new DeviceNumber(0, 5), 100, device, 0), _fake.Sysfs);

    private DeviceIdentity File(string path, DeviceNumber device, ulong inode)
        => DeviceIdentity.From(path, new FileStatus(FileKind.RegularFile, UnixFileMode.UserRead | UnixFileMode.UserWrite, 0, device, inode, default, 4096), _fake.Sysfs);
}
