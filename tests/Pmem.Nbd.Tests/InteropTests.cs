using System.Security.Cryptography;
using Pmem.BlockDevices;

namespace Pmem.Nbd.Tests;

/// <summary>The real NBD clients (libnbd's nbdinfo and nbdcopy, qemu-img, qemu-io, fio) against our server.</summary>
public sealed class InteropTests
{
    [Fact]
    public async Task Nbdinfo_reports_size_flags_block_sizes_and_description()
    {
        await using var host = TestServerHost.Start(size: 16 << 20);
        var result = await ExternalTool.RunCheckedAsync("nbdinfo", host.Uri());
        string text = result.StandardOutput;
        Assert.Contains("export-size: 16777216", text);
        Assert.Contains("description: test memory", text);
        Assert.Contains("can_flush: true", text);
        Assert.Contains("can_fua: true", text);
        Assert.Contains("can_trim: true", text);
        Assert.Contains("can_zero: true", text);
        Assert.Contains("can_multi_conn: true", text);
        Assert.Contains("is_read_only: false", text);
        Assert.Contains("block_size_minimum: 512", text);
        Assert.Contains("block_size_preferred: 4096", text);
        Assert.Contains("block_size_maximum: 33554432", text);
    }
}
