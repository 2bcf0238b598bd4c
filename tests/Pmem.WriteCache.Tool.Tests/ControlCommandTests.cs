namespace Pmem.WriteCache.Tool.Tests;

/// <summary><c>status</c> and <c>message</c> against a running server, and what a clean stop leaves behind.</summary>
public sealed class ControlCommandTests
{
    [Fact]
    public async Task Status_prints_the_kernel_format_and_messages_flush_clear_stats_and_cleaner_act()
    {
        using var scratch = new Scratch();
        var setup = CacheSetup.Create(scratch, "p");
        await using ServedCache served = await setup.ServeAsync();
        string socket = served.Socket!;
        await ExternalProgram.RunCheckedAsync("qemu-io", "-f", "raw", "-c", "write -P 0xab 0 256k", "-c", "flush", served.Uri);

        long[] status = await Tool.StatusAsync(socket);
        Assert.Equal(CacheSetup.DefaultOriginSize / 512, status[StatusField.Sectors]);
        Assert.Equal(0, status[StatusField.Error]);
        Assert.Equal(status[StatusField.Blocks] - 64, status[StatusField.Free]);
        Assert.Equal(64, status[StatusField.Writes]);
        string table = (await Tool.RunAsync("status", "--socket", socket, "--table")).Succeeded().StandardOutput.Trim();
        Assert.Equal($"0 {CacheSetup.DefaultOriginSize / 512} writecache p {setup.Origin} {setup.Cache} 4096 0", table);

        (await Tool.RunAsync("message", "--socket", socket, "clear_stats")).Succeeded();
        Assert.Equal(0, (await Tool.StatusAsync(socket))[StatusField.Writes]);

        Assert.False(OriginHolds(setup.Origin, 0xab, 256 << 10), "the origin has the data before any writeback");
        ProgramResult flush = (await Tool.RunAsync("message", "--socket", socket, "flush")).Succeeded();
        Assert.Contains("writeback: 64/64 blocks written back (100%)", flush.StandardError);
        long[] flushed = await Tool.StatusAsync(socket);
        Assert.Equal(flushed[StatusField.Blocks], flushed[StatusField.Free]);
        Assert.True(OriginHolds(setup.Origin, 0xab, 256 << 10), "message flush did not write the blocks back to the origin");

        ProgramResult unknown = await Tool.RunAsync("message", "--socket", socket, "bogus");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("unrecognised message received: bogus (EINVAL)", unknown.StandardError);
        ProgramResult extra = await Tool.RunAsync("message", "--socket", socket, "flush", "now");
        Assert.Equal(1, extra.ExitCode);

        await ExternalProgram.RunCheckedAsync("qemu-io", "-f", "raw", "-c", "write -P 0xcd 1m 64k", "-c", "flush", served.Uri);
        (await Tool.RunAsync("message", "--socket", socket, "cleaner", "--wait", "--timeout", "60")).Succeeded();
        long[] cleaned = await Tool.StatusAsync(socket);
        Assert.Equal(cleaned[StatusField.Blocks], cleaned[StatusField.Free]);
        Assert.Equal(0, await served.StopAsync());
        Assert.Contains("Stopped cleanly", served.Error);
    }

    [Fact]
    public async Task Status_without_a_server_fails_naming_the_control_socket()
    {
        using var scratch = new Scratch();
        ProgramResult result = await Tool.RunAsync("status", "--socket", scratch.PathOf("none.sock"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("none.sock.ctl", result.StandardError);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Sigterm_commits_and_writes_back_only_with_flush_on_suspend(bool flushOnSuspend)
    {
        using var scratch = new Scratch();
        var setup = CacheSetup.Create(scratch, "p");
        await using (ServedCache served = await setup.ServeAsync())
        {
            // No flush from the client: the clean stop must commit by itself.
            await ExternalProgram.RunCheckedAsync("qemu-io", "-f", "raw", "-c", "write -P 0x77 0 128k", served.Uri);
            if (flushOnSuspend)
            {
                (await Tool.RunAsync("message", "--socket", served.Socket!, "flush_on_suspend")).Succeeded();
            }

            Assert.Equal(0, await served.StopAsync());
            Assert.False(File.Exists(served.Socket! + ".ctl"), "the control socket was left behind");
        }

        ProgramResult check = (await setup.RunAsync("check")).Succeeded();
        Assert.Equal(flushOnSuspend, OriginHolds(setup.Origin, 0x77, 128 << 10));
        Assert.Contains(flushOnSuspend ? "Clean" : "Consistent: 32 dirty blocks", check.StandardOutput);

        await using ServedCache again = await setup.ServeAsync();
        ProgramResult read = (await ExternalProgram.RunCheckedAsync("qemu-io", "-f", "raw", "-c", "read -P 0x77 0 128k", again.Uri));
        Assert.DoesNotContain("failed", read.All(), StringComparison.OrdinalIgnoreCase);
    }

    internal static bool OriginHolds(string origin, byte value, int length)
    {
        using FileStream file = new(origin, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        byte[] data = new byte[length];
        file.ReadExactly(data);
        return !data.AsSpan().ContainsAnyExcept(value);
    }
}
