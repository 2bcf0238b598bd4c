using System.Net.Sockets;

namespace Pmem.WriteCache.Tool.Tests;

/// <summary>
/// Another local user (nobody) prepares the paths the tool would use — the default scratch directory, the cache's
/// directory on /dev/shm, a cache file, a socket — or serves a control socket itself. The tool refuses, naming the
/// path and its owner, and writes nothing. The victim runs as a fresh uid, so its per-user paths are this test's alone.
/// </summary>
public sealed class DefaultPathAttackTests : IDisposable
{
    private readonly Scratch _scratch = new();
    private readonly uint _victim = OtherUser.FreshId();
    private readonly List<string> _shmDirectories = [];

    public DefaultPathAttackTests()
    {
        // 0755: the other users reach the directories inside (the scratch directory is created 0700).
        File.SetUnixFileMode(_scratch.Directory, (UnixFileMode)0x1ED);
    }

    /// <summary>A directory like /tmp: world-writable and sticky.</summary>
    private string SharedDirectory()
    {
        string shared = _scratch.PathOf($"shared-{Guid.NewGuid():N}");
        Directory.CreateDirectory(shared);
        File.SetUnixFileMode(shared, (UnixFileMode)0x3FF); // 01777
        return shared;
    }

    [Theory]
    [InlineData("directory")]
    [InlineData("symlink")]
    public async Task A_default_scratch_directory_made_first_by_another_user_is_refused_naming_it(string attack)
    {
        string shared = SharedDirectory();
        string target = Path.Combine(shared, $"pmem-writecache-{_victim}");
        if (attack == "directory")
        {
            await OtherUser.RunAsync(OtherUser.Nobody, "mkdir", "-m", "0777", target);
        }
        else
        {
            await OtherUser.RunAsync(OtherUser.Nobody, "mkdir", "-m", "0777", Path.Combine(shared, "nobodys"));
            await OtherUser.RunAsync(OtherUser.Nobody, "ln", "-s", Path.Combine(shared, "nobodys"), target);
        }

        ProgramResult result = await OtherUser.RunToolAsync(OtherUser.As(_victim), ["serve"], QuickStartEnvironment(shared));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"'{target}'", result.StandardError);
        Assert.Contains(attack == "directory" ? "belongs to nobody (uid 65534) with mode 0777" : "is a symbolic link, not a directory", result.StandardError);
        Assert.Empty(Directory.GetFileSystemEntries(attack == "directory" ? target : Path.Combine(shared, "nobodys")));
    }

    [Fact]
    public async Task A_cache_directory_on_dev_shm_made_first_by_another_user_is_refused_naming_it()
    {
        string shared = SharedDirectory();
        string target = $"/dev/shm/pmem-writecache-{_victim}";
        _shmDirectories.Add(target);
        await OtherUser.RunAsync(OtherUser.Nobody, "mkdir", "-m", "0777", target);

        ProgramResult result = await OtherUser.RunToolAsync(OtherUser.As(_victim), ["serve"], QuickStartEnvironment(shared));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"'{target}' belongs to nobody (uid 65534) with mode 0777", result.StandardError);
        Assert.Empty(Directory.GetFileSystemEntries(target));
        Assert.False(File.Exists(Path.Combine(shared, $"pmem-writecache-{_victim}", "origin.img")), "the origin created before the refusal was left behind");
    }

    [Fact]
    public async Task Without_an_attacker_the_quick_start_makes_its_directories_private_and_serves()
    {
        string shared = SharedDirectory();
        string scratch = Path.Combine(shared, $"pmem-writecache-{_victim}");
        string shm = $"/dev/shm/pmem-writecache-{_victim}";
        _shmDirectories.Add(shm);
        await using ServedCache served = await ServedCache.StartAsync([], Path.Combine(scratch, "nbd.sock"), QuickStartEnvironment(shared), OtherUser.As(_victim));
        foreach (string directory in new[] { scratch, shm })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        }

        string cache = Assert.Single(Directory.GetFiles(shm));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cache));
        Assert.Contains(cache, served.Output);
        Assert.Equal(0, await served.StopAsync());
    }

    [Theory]
    [InlineData("file")]
    [InlineData("symlink")]
    public async Task A_cache_file_another_user_placed_in_a_shared_directory_is_refused(string attack)
    {
        string shared = SharedDirectory();
        string cache = Path.Combine(shared, "c.cache");
        string victimFile = _scratch.PathOf("victim.img");
        File.WriteAllText(victimFile, "root's data");
        if (attack == "file")
        {
            await OtherUser.RunAsync(OtherUser.Nobody, "install", "-m", "0666", "/dev/null", cache);
        }
        else
        {
            await OtherUser.RunAsync(OtherUser.Nobody, "ln", "-s", victimFile, cache);
        }

        string origin = Path.Combine(shared, "o.img");
        ProgramResult result = await Tool.RunAsync(
            ["serve", "p", origin, cache, "4096", "0", "--create-origin", "64M", "--create-cache", "16M", "--socket", _scratch.PathOf("nbd.sock")], null);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"'{cache}'", result.StandardError);
        Assert.Contains(attack == "file" ? "belongs to nobody (uid 65534)" : "is a symbolic link", result.StandardError);
        Assert.False(File.Exists(origin), "the origin this run created was left behind");
        Assert.Equal("root's data", File.ReadAllText(victimFile));
    }

    [Fact]
    public async Task A_socket_of_another_user_in_a_shared_directory_is_not_replaced()
    {
        string shared = SharedDirectory();
        string socket = Path.Combine(shared, "nbd.sock");
        // Bound, not listening: a stale socket (disposing the socket would remove its file).
        using var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        stale.Bind(new UnixDomainSocketEndPoint(socket));
        await OtherUser.ChownAsync(socket, OtherUser.NobodyId);
        var setup = CacheSetup.Create(_scratch, "s");
        var before = setup.Hashes();
        ProgramResult result = await Tool.RunAsync(["serve", .. setup.Table, "--socket", socket], null);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"'{socket}' belongs to nobody (uid 65534)", result.StandardError);
        Assert.Equal(before, setup.Hashes());
    }

    [Fact]
    public async Task A_socket_in_a_directory_others_may_write_without_the_sticky_bit_is_refused()
    {
        string open = _scratch.PathOf("open");
        Directory.CreateDirectory(open);
        File.SetUnixFileMode(open, (UnixFileMode)0x1FF); // 0777, not sticky
        var setup = CacheSetup.Create(_scratch, "s");
        ProgramResult result = await Tool.RunAsync(["serve", .. setup.Table, "--socket", Path.Combine(open, "nbd.sock")], null);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"'{open}' is writable by other users and not sticky (mode 0777)", result.StandardError);
    }

    [Fact]
    public async Task An_XDG_RUNTIME_DIR_others_may_enter_is_refused_for_the_default_socket()
    {
        string runtime = SharedDirectory();
        var setup = CacheSetup.Create(_scratch, "s");
        ProgramResult result = await Tool.RunAsync(["serve", .. setup.Table], new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = runtime });
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"the $XDG_RUNTIME_DIR '{runtime}' belongs to root (uid 0) with mode 01777; it must be yours", result.StandardError);
        Assert.Empty(Directory.GetFileSystemEntries(runtime));
    }

    [Fact]
    public async Task Status_refuses_a_control_socket_served_by_another_user()
    {
        string home = _scratch.PathOf("nobody");
        Directory.CreateDirectory(home);
        var setup = CacheSetup.Create(_scratch, "s");
        foreach (string path in new[] { home, setup.Origin, setup.Cache })
        {
            await OtherUser.ChownAsync(path, OtherUser.NobodyId);
        }

        string socket = Path.Combine(home, "nbd.sock");
        await using ServedCache served = await ServedCache.StartAsync([.. setup.Table, "--socket", socket], socket, null, OtherUser.Nobody);
        ProgramResult status = await Tool.RunAsync("status", "--socket", socket);
        Assert.Equal(1, status.ExitCode);
        Assert.Contains($"the control socket '{socket}.ctl' is served by a process of nobody (uid 65534), not by you", status.StandardError);
        Assert.Equal(0, await served.StopAsync());
    }

    public void Dispose()
    {
        foreach (string directory in _shmDirectories.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }

        _scratch.Dispose();
    }

    /// <summary>The quick start with no XDG_RUNTIME_DIR and the temp directory at <paramref name="shared"/>, as on a machine without a login session.</summary>
    private static Dictionary<string, string> QuickStartEnvironment(string shared) => new()
    {
        ["TMPDIR"] = shared,
        ["XDG_RUNTIME_DIR"] = string.Empty,
        [ScratchVariableName] = string.Empty,
    };

    private const string ScratchVariableName = "PMEM_WRITECACHE_SCRATCH";
}
