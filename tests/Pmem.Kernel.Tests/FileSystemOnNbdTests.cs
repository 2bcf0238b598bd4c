namespace Pmem.Kernel.Tests;

/// <summary>
/// The kernel's own NBD client (nbd.ko + nbd-client) with ext4 on our server, in both modes at once (one VM boot
/// attaches a p-mode and an s-mode server): mkfs.ext4, files, sync; the host SIGKILLs both servers while the file
/// systems are mounted; the servers restart on the same files; a second boot replays the journals, <c>e2fsck -fn</c>
/// finds both file systems clean and every file has the checksum it was written with.
/// </summary>
public sealed class FileSystemOnNbdTests(ITestOutputHelper output)
{
    private const long OriginSize = 128 << 20;
    private const long CacheSize = 32 << 20; // smaller than what mkfs and the files write: writeback runs during the test

    [Fact]
    public async Task Ext4_on_the_kernel_nbd_client_survives_sigkill_of_the_server_in_both_modes()
    {
        KernelVm.RequireVm();
        using var scratch = new Scratch();
        (string Mode, string[] Table)[] caches =
        [
            ("p", ["p", Scratch.CreateFile(scratch.PathOf("p-origin.img"), OriginSize), Scratch.CreateFile(scratch.ShmPath("p-cache"), CacheSize), "4096", "0"]),
            ("s", ["s", Scratch.CreateFile(scratch.PathOf("s-origin.img"), OriginSize), Scratch.CreateFile(scratch.PathOf("s-cache.img"), CacheSize), "4096", "0"]),
        ];

        List<ServedCache> servers = await StartAsync(scratch, caches);
        VmConsole written;
        try
        {
            written = await KernelVm.BootAsync(GuestScript("write", caches, expected: string.Empty), Sockets(servers), async (line, console) =>
            {
                if (line.StartsWith("@KILL-NOW", StringComparison.Ordinal))
                {
                    foreach (ServedCache server in servers)
                    {
                        await server.KillAsync(); // the power cut of the server process, file systems mounted
                    }

                    await console.SendLineAsync("killed");
                }
            });
        }
        finally
        {
            await StopAllAsync(servers);
        }

        output.WriteLine($"write boot: {written.Elapsed.TotalSeconds:0.0} s");
        Assert.True(written.Tagged("RESULT").SingleOrDefault() == "ok" && written.Tagged("HOST-REPLIED").SingleOrDefault() == "killed", written.Describe());
        string[] files = [.. written.Tagged("MD5")];
        Assert.True(files.Length == 12, $"expected 6 files per mode:\n{written.Describe()}");

        servers = await StartAsync(scratch, caches);
        VmConsole verified;
        try
        {
            verified = await KernelVm.BootAsync(GuestScript("verify", caches, string.Join('\n', files)), Sockets(servers));
        }
        finally
        {
            await StopAllAsync(servers);
        }

        output.WriteLine($"verify boot: {verified.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine(string.Join('\n', verified.GuestLines));
        Assert.True(verified.Tagged("RESULT").SingleOrDefault() == "ok", verified.Describe());
        foreach ((string mode, _) in caches)
        {
            Assert.True(verified.Tagged("FSCK-RC").Contains($"{mode} 0"), $"mode {mode}: e2fsck -fn did not pass:\n{verified.Describe()}");
        }

        string[] expectedChecks = [.. files.Select(line => line.Split(' ')).Select(words => $"{words[0]} {words[1]} ok")];
        Assert.True(expectedChecks.SequenceEqual(verified.Tagged("CHECK")), $"a file read back wrong or is missing:\n{verified.Describe()}");
    }

    private static async Task<List<ServedCache>> StartAsync(Scratch scratch, (string Mode, string[] Table)[] caches)
    {
        var servers = new List<ServedCache>();
        foreach ((string mode, string[] table) in caches)
        {
            string socket = scratch.PathOf($"{mode}.sock");
            servers.Add(await ServedCache.StartAsync([.. table, "--socket", socket], socket));
        }

        return servers;
    }

    private static async Task StopAllAsync(List<ServedCache> servers)
    {
        foreach (ServedCache server in servers)
        {
            await server.DisposeAsync();
        }
    }

    private static IEnumerable<string> Sockets(IEnumerable<ServedCache> servers) => servers.SelectMany(server => new[] { "--nbd", server.Socket! });

    private static string GuestScript(string phase, (string Mode, string[] Table)[] caches, string expected)
        => $"PHASE={phase}\nDEVICES='{string.Join(' ', caches.Select(cache => cache.Mode))}'\nEXPECTED='{expected}'\n"
           + File.ReadAllText(Path.Combine(KernelVm.ScriptDirectory, "guest-nbd.sh"));
}
