using System.Net.Sockets;

namespace Pmem.WriteCache.Tool.Tests;

/// <summary>Idle connections to the control socket cannot lock out <c>status</c>: at the limit the one idle longest is closed.</summary>
public sealed class ControlConnectionLimitTests
{
    private const int MaxConnections = 16; // ControlServer.MaxConnections

    [Fact]
    public async Task Status_answers_while_twice_the_connection_limit_sits_idle_on_the_control_socket()
    {
        using var scratch = new Scratch();
        var setup = CacheSetup.Create(scratch, "s");
        await using ServedCache served = await setup.ServeAsync();
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < 2 * MaxConnections; i++)
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                idle.Add(socket);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(served.Socket + ".ctl"));
            }

            // Far below the idle timeout (60 s): only closing idle connections for new ones can answer in time.
            ProgramResult status = await Tool.RunAsync(["status", "--socket", served.Socket!], null, timeoutSeconds: 30);
            Assert.True(status.ExitCode == 0, status.Describe());
            Assert.Contains(" writecache 0 ", status.StandardOutput);

            // The first connection, idle longest, was closed: it reads end of stream.
            byte[] buffer = new byte[1];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            Assert.Equal(0, await idle[0].ReceiveAsync(buffer, SocketFlags.None, timeout.Token));
        }
        finally
        {
            idle.ForEach(socket => socket.Dispose());
        }

        Assert.Equal(0, await served.StopAsync());
    }
}
