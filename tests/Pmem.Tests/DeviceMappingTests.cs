using System.Diagnostics;
using Pmem.Mapping;

namespace Pmem.Tests;

/// <summary>
/// What <see cref="PmemRegion.Open"/> does with paths that are not regular files: device DAX is recognised from sysfs
/// (size and alignment), a pmem block device and other special files are refused with what to use instead. Live
/// device DAX runs in the kernel VM suite; here sysfs is a directory of the test's own.
/// </summary>
public sealed class DeviceMappingTests : IDisposable
{
    private readonly TempFiles _disk = TempFiles.OnDisk();

    [Fact]
    public void ABlockDeviceIsRefusedWithTheWayToFsdaxOrDevdax()
    {
        string? device = Directory.Exists("/sys/class/block")
            ? Directory.GetDirectories("/sys/class/block").Select(d => "/dev/" + Path.GetFileName(d)).FirstOrDefault(File.Exists)
            : null;
        Assert.SkipWhen(device is null, "this machine has no block device node under /dev to try");
        var e = Assert.Throws<IOException>(() => PmemRegion.Open(device!));
        Assert.Contains("is a block device", e.Message, StringComparison.Ordinal);
        Assert.Contains("mount -o dax", e.Message, StringComparison.Ordinal);
        Assert.Contains("/dev/daxN.M", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACharacterDeviceThatIsNotDeviceDaxIsRefused()
    {
        var e = Assert.Throws<IOException>(() => PmemRegion.Open("/dev/null"));
        Assert.Contains("not device DAX", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFifoOrADirectoryIsRefusedNotBlockedOn()
    {
        string fifo = _disk.File("fifo");
        using (Process mkfifo = Process.Start("mkfifo", fifo))
        {
            mkfifo.WaitForExit();
        }

        // Opening a FIFO for writing would block until a reader comes: the probe refuses it before any open.
        Assert.Contains("FIFO", Assert.Throws<IOException>(() => PmemRegion.Open(fifo)).Message, StringComparison.Ordinal);
        Assert.Contains("directory", Assert.Throws<IOException>(() => PmemRegion.Open(_disk.Root)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeviceDaxSizeAndAlignmentComeFromSysfs()
    {
        string sysfs = FakeSysfs(size: "69206016\n", align: "2097152\n", subsystem: "dax");
        Assert.Equal(new MappableFile(MappableFileKind.DeviceDax, 69206016, 2097152), MappableFile.FromCharacterDevice(sysfs, 252, 0));

        string noAlign = FakeSysfs(size: "4194304", align: null, subsystem: "dax");
        Assert.Equal(2L * 1024 * 1024, MappableFile.FromCharacterDevice(noAlign, 252, 0).Alignment);

        string other = FakeSysfs(size: "4194304", align: null, subsystem: "mem");
        Assert.Equal(MappableFileKind.OtherCharacterDevice, MappableFile.FromCharacterDevice(other, 252, 0).Kind);
        Assert.Equal(MappableFileKind.OtherCharacterDevice, MappableFile.FromCharacterDevice(other, 1, 3).Kind); // no such device
    }

    public void Dispose() => _disk.Dispose();

    /// <summary>/sys/dev/char/252:0 with size, align and a subsystem link to a directory named <paramref name="subsystem"/>.</summary>
    private string FakeSysfs(string size, string? align, string subsystem)
    {
        string root = _disk.File("sys-" + Guid.NewGuid().ToString("N"));
        string bus = Path.Combine(root, "bus", subsystem);
        string device = Path.Combine(root, "devices", "dax0.0");
        Directory.CreateDirectory(bus);
        Directory.CreateDirectory(device);
        Directory.CreateDirectory(Path.Combine(root, "dev", "char"));
        Directory.CreateSymbolicLink(Path.Combine(root, "dev", "char", "252:0"), device);
        Directory.CreateSymbolicLink(Path.Combine(device, "subsystem"), bus);
        File.WriteAllText(Path.Combine(device, "size"), size);
        if (align is not null)
        {
            File.WriteAllText(Path.Combine(device, "align"), align);
        }

        return root;
    }
}
