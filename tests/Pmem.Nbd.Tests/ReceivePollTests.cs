using Pmem.Nbd.Protocol;
using Pmem.Nbd.Server;

namespace Pmem.Nbd.Tests;

/// <summary>
/// The connection thread's bounded poll for the next request (<see cref="NbdServerOptions.ReceiveSpin"/>): requests
/// that arrive during the poll, after it (when the thread has blocked in recv), and a client that leaves during it.
/// </summary>
public sealed class ReceivePollTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(1000)]
    public async Task Requests_arriving_during_and_after_the_poll_are_served(int spinMicroseconds)
    {
        await using var host = TestServerHost.Start(size: 1 << 20, configure: o => o.ReceiveSpin = TimeSpan.FromMicroseconds(spinMicroseconds));
        var (client, _, _) = RawNbdClient.Open(host.SocketPath);
        using var _ = client;

        for (int i = 0; i < 6; i++)
        {
            byte[] data = Enumerable.Repeat((byte)(i + 1), 512).ToArray();
            client.SendRequest(NbdCommand.Write, (ulong)i * 512, 512, cookie: (ulong)i, payload: data);
            var reply = client.ReadReply();
            Assert.Equal((NbdErrno.None, (ulong)i), (reply.Error, reply.Cookie));
            Assert.Equal(data, host.Memory.Contents.Slice(i * 512, 512).ToArray());

            // Alternately at once (inside any poll) and after a pause far longer than the poll (the thread blocks).
            if (i % 2 == 1)
            {
                await Task.Delay(20);
            }
        }

        client.SendRequest(NbdCommand.Disconnect, 0, 0, cookie: 99);
        Assert.True(client.IsClosedByServer());
    }

    [Fact]
    public async Task A_client_that_leaves_while_the_thread_polls_is_noticed()
    {
        await using var host = TestServerHost.Start(size: 1 << 20, configure: o => o.ReceiveSpin = NbdServerOptions.MaxReceiveSpin);
        var (client, _, _) = RawNbdClient.Open(host.SocketPath);
        client.SendRequest(NbdCommand.Flush, 0, 0, cookie: 1);
        Assert.Equal(NbdErrno.None, client.ReadReply().Error);

        // Gone right after its reply, while the server's thread is still polling for the next request: the thread
        // ends its poll, sees the end of the stream in recv and closes the connection.
        client.Dispose();

        await Eventually.UntilAsync(() => host.Server.ConnectionCount == 0, TimeSpan.FromSeconds(10), "the server closed the connection");
        Assert.Contains(host.Logger.Entries, e => e.Message.Contains("closed the connection", StringComparison.Ordinal));
    }

    [Fact]
    public void A_negative_or_overlong_poll_is_refused()
    {
        foreach (TimeSpan spin in new[] { TimeSpan.FromTicks(-1), NbdServerOptions.MaxReceiveSpin + TimeSpan.FromTicks(1) })
        {
            var options = new NbdServerOptions { UnixSocketPath = "/nonexistent/x.sock", ReceiveSpin = spin };
            options.Exports.Add(new NbdExport("", new Pmem.BlockDevices.MemoryBlockDevice(4096)));
            Assert.Contains("ReceiveSpin", Assert.Throws<NbdConfigurationException>(() => NbdServer.Start(options)).Message);
        }
    }

    [Fact]
    public void The_default_polls_only_where_another_cpu_can_send_meanwhile()
    {
        var expected = Environment.ProcessorCount > 1 ? TimeSpan.FromMicroseconds(20) : TimeSpan.Zero;
        Assert.Equal(expected, new NbdServerOptions().ReceiveSpin);
    }
}
