namespace Pmem.BlockDevices.Tests;

/// <summary><see cref="DeviceIdentity"/> on real files: one file reached by several paths is one identity; two files are two.</summary>
public sealed class DeviceIdentityTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pmem-identity-").FullName;

    [Fact]
    public void The_same_path_overlaps_itself()
    {
        string file = NewFile("a.img");
        Assert.True(DeviceIdentity.Of(file).Overlaps(DeviceIdentity.Of(file), out string? reason));
        FileStatus status = FileStatus.Get(file);
        Assert.Contains($"inode {status.Inode} of device {status.Device}", reason);
    }

    [Fact]
    public async Task A_symbolic_link_a_relative_path_and_a_hard_link_are_the_same_file()
    {
        string file = NewFile("a.img");
        string symlink = Path.Combine(_directory, "link.img");
        File.CreateSymbolicLink(symlink, "a.img");
        string hardLink = Path.Combine(_directory, "hard.img");
        await ExternalProgram.RunCheckedAsync("ln", file, hardLink);
        string dotted = Path.Combine(_directory, ".", "sub", "..", "a.img");
        Directory.CreateDirectory(Path.Combine(_directory, "sub"));

        DeviceIdentity original = DeviceIdentity.Of(file);
        Assert.True(original.Overlaps(DeviceIdentity.Of(symlink)));
        Assert.True(DeviceIdentity.Of(hardLink).Overlaps(original));
        Assert.True(DeviceIdentity.Of(dotted).Overlaps(original));
    }

    [Fact]
    public void Two_files_do_not_overlap_even_with_equal_contents()
    {
        string a = NewFile("a.img");
        string b = Path.Combine(_directory, "b.img");
        File.Copy(a, b);
        Assert.False(DeviceIdentity.Of(a).Overlaps(DeviceIdentity.Of(b)));
    }

    [Fact]
    public void A_missing_path_is_a_file_not_found()
        => Assert.Throws<FileNotFoundException>(() => DeviceIdentity.Of(Path.Combine(_directory, "missing.img")));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string NewFile(string name)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, new byte[8192]);
        return path;
    }
}
