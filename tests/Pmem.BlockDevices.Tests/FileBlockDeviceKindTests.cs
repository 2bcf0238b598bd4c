namespace Pmem.BlockDevices.Tests;

/// <summary><see cref="FileBlockDevice.Open"/> refuses what cannot be read at offsets, at once and naming what it is (a FIFO would block the open).</summary>
public sealed class FileBlockDeviceKindTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pmem-kinds-").FullName;

    [Fact]
    public async Task A_fifo_is_refused_without_waiting_for_a_writer()
    {
        string fifo = Path.Combine(_directory, "fifo");
        await ExternalProgram.RunCheckedAsync("mkfifo", fifo);
        IOException refused = Assert.Throws<IOException>(() => FileBlockDevice.Open(fifo));
        Assert.Equal($"'{fifo}' is a FIFO (named pipe), not a regular file or a block device: it cannot be read and written at offsets.", refused.Message);
    }

    [Theory]
    [InlineData("/dev/null", "a character device")]
    [InlineData("/", "a directory")]
    public void Other_kinds_are_refused_naming_the_kind(string path, string kind)
        => Assert.Contains($"is {kind}, not a regular file or a block device", Assert.Throws<IOException>(() => FileBlockDevice.Open(path, readOnly: true)).Message);

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
