namespace Pmem.BlockDevices.Tests;

/// <summary>A sysfs tree in a temporary directory, laid out as the kernel lays out /sys/dev/block and /sys/devices.</summary>
internal sealed class FakeSysfs : IDisposable
{
    public FakeSysfs()
    {
        Root = Directory.CreateTempSubdirectory("pmem-fake-sysfs-").FullName;
        Directory.CreateDirectory(Path.Combine(Root, "dev", "block"));
    }

    public string Root { get; }

    public SysfsBlockDevices Sysfs => new(Root);

    /// <summary>A whole disk of <paramref name="sectors"/> 512-byte sectors; returns its directory.</summary>
    public string AddDisk(string name, DeviceNumber number, long sectors)
    {
        string directory = Path.Combine(Root, "devices", "virtual", "block", name);
        Write(directory, "dev", number.ToString());
        Write(directory, "size", sectors.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Link(number, directory);
        return directory;
    }

    /// <summary>Partition <paramref name="index"/> of the disk in <paramref name="diskDirectory"/>, as its subdirectory.</summary>
    public void AddPartition(string diskDirectory, string name, DeviceNumber number, int index, long startSector, long sectors)
    {
        string directory = Path.Combine(diskDirectory, name);
        Write(directory, "dev", number.ToString());
        Write(directory, "partition", index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Write(directory, "start", startSector.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Write(directory, "size", sectors.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Link(number, directory);
    }

    /// <summary>Makes the disk a loop device backed by <paramref name="backingFile"/>; with <paramref name="backingIdentity"/>, also the kernel's backing_dev and backing_inode.</summary>
    public static void MakeLoop(string diskDirectory, string backingFile, (DeviceNumber Device, ulong Inode)? backingIdentity = null)
    {
        string loop = Path.Combine(diskDirectory, "loop");
        Write(loop, "backing_file", backingFile);
        if (backingIdentity is { } identity)
        {
            Write(loop, "backing_dev", identity.Device.ToString());
            Write(loop, "backing_inode", identity.Inode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Puts <paramref name="slaveDirectory"/> under the device-mapper disk <paramref name="diskDirectory"/>.</summary>
    public static void AddSlave(string diskDirectory, string slaveDirectory)
    {
        string slaves = Path.Combine(diskDirectory, "slaves");
        Directory.CreateDirectory(slaves);
        Directory.CreateSymbolicLink(Path.Combine(slaves, Path.GetFileName(slaveDirectory)), slaveDirectory);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static void Write(string directory, string name, string text)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, name), text + "\n");
    }

    private void Link(DeviceNumber number, string directory)
        => Directory.CreateSymbolicLink(Path.Combine(Root, "dev", "block", number.ToString()), Path.GetRelativePath(Path.Combine(Root, "dev", "block"), directory));
}
