namespace Pmem.WriteCache.Tool.Tests;

/// <summary>The README's main command: <c>pmem-writecache serve</c> with no arguments; and serving TCP, read-only, under an export name.</summary>
public sealed class QuickStartTests
{
    [Fact]
    public async Task Serve_without_arguments_creates_a_scratch_cache_prints_how_to_connect_and_stops_cleanly()
    {
        using var scratch = new Scratch();
        var environment = new Dictionary<string, string> { ["PMEM_WRITECACHE_SCRATCH"] = scratch.Directory };
        string socket = scratch.PathOf("nbd.sock");
        await using ServedCache served = await ServedCache.StartAsync([], socket, environment);
        string cache = served.Output.Split('\n').Select(line => line.Trim()).Single(line => line.StartsWith("cache ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        scratch.Adopt(cache);

        Assert.Contains($"nbdinfo 'nbd+unix:///?socket={socket}'", served.Output);
        Assert.Contains($"qemu-img info 'nbd+unix:///?socket={socket}'", served.Output);
        Assert.Contains($"nbd-client -unix {socket} /dev/nbd0", served.Output);
        Assert.StartsWith("/dev/shm/", cache, StringComparison.Ordinal);
        Assert.Contains("emulated pmem", served.Error);
        Assert.Equal(256L << 20, new FileInfo(cache).Length);

        string info = (await ExternalProgram.RunCheckedAsync("nbdinfo", served.Uri)).StandardOutput;
        Assert.Contains("export-size: 1073741824", info);
        Assert.Equal(0, await served.StopAsync());
        Assert.False(File.Exists(socket), "the NBD socket was left behind");

        // A second run finds the same files: what was written survives.
        await using ServedCache again = await ServedCache.StartAsync([], socket, environment);
        Assert.Contains(cache, again.Output);
        Assert.Equal(0, await again.StopAsync());
    }

    [Fact]
    public async Task Serve_on_loopback_tcp_read_only_with_an_export_name()
    {
        using var scratch = new Scratch();
        var setup = CacheSetup.Create(scratch, "s");
        string control = scratch.PathOf("control.ctl");
        await using ServedCache served = await ServedCache.StartAsync(
            [.. setup.Table, "--listen", "127.0.0.1:0", "--export-name", "disk", "--read-only", "--control-socket", control, "--receive-spin", "0"], socket: null);
        Assert.StartsWith("nbd://127.0.0.1:", served.Uri, StringComparison.Ordinal);
        Assert.EndsWith("/disk", served.Uri, StringComparison.Ordinal);
        string info = (await ExternalProgram.RunCheckedAsync("nbdinfo", served.Uri)).StandardOutput;
        Assert.Contains("is_read_only: true", info);
        ProgramResult write = await ExternalProgram.RunAsync("qemu-io", ["-f", "raw", "-c", "write 0 4k", served.Uri]);
        Assert.Contains("Permission denied", write.StandardOutput + write.StandardError, StringComparison.OrdinalIgnoreCase);
        ProgramResult status = (await Tool.RunAsync("status", "--control-socket", control)).Succeeded();
        Assert.StartsWith($"0 {CacheSetup.DefaultOriginSize / 512} writecache 0 ", status.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0, await served.StopAsync());
    }

    [Fact]
    public async Task Serve_on_loopback_tcp_port_0_names_its_control_socket_after_the_port_bound()
    {
        using var scratch = new Scratch();
        var setup = CacheSetup.Create(scratch, "s");
        string runtime = scratch.PathOf("runtime");
        Directory.CreateDirectory(runtime, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var environment = new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = runtime };
        await using ServedCache served = await ServedCache.StartAsync([.. setup.Table, "--listen", "127.0.0.1:0"], socket: null, environment);
        int port = new Uri(served.Uri).Port;
        Assert.NotEqual(0, port);
        string control = Path.Combine(runtime, $"pmem-writecache-127.0.0.1-{port}.ctl");
        Assert.Contains($"pmem-writecache status --control-socket {control}", served.Output);
        (await Tool.RunAsync("status", "--control-socket", control)).Succeeded();
        Assert.Equal(0, await served.StopAsync());
        Assert.False(File.Exists(control), "the control socket was left behind");
    }
}
