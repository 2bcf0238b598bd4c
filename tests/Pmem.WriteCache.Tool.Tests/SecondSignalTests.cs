using System.Runtime.InteropServices;

namespace Pmem.WriteCache.Tool.Tests;

/// <summary>A clean stop waits for requests in flight; a second SIGTERM or SIGINT ends the wait and the process at once, saying so.</summary>
public sealed partial class SecondSignalTests
{
    [Theory]
    [InlineData(15)] // SIGTERM
    [InlineData(2)] // SIGINT
    public async Task A_second_signal_exits_at_once_while_a_client_that_never_reads_holds_up_the_stop(int signal)
    {
        using var scratch = new Scratch();
        var setup = CacheSetup.Create(scratch, "s");
        await using ServedCache served = await setup.ServeAsync();
        using StalledNbdClient client = await StalledNbdClient.ConnectAsync(served.Socket!);
        await client.SendReadsAsync(count: 256, length: 1 << 20, CacheSetup.DefaultOriginSize);

        Assert.Equal(0, kill(served.ProcessId, 15));
        await served.WaitForErrorAsync("Stopping: no new connections", TimeSpan.FromSeconds(30));
        Assert.Equal(0, kill(served.ProcessId, signal));
        int exitCode = await served.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(4, exitCode);
        Assert.Contains("exiting now without finishing the shutdown", served.Error);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
