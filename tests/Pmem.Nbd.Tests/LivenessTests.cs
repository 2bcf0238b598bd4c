using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Pmem.Nbd.Protocol;
using Pmem.Nbd.Server;

namespace Pmem.Nbd.Tests;

/// <summary>Clients that stop reading or stop sending cannot hold the server: the bounded stop and the request read timeout.</summary>
/// <remarks>
/// Run alone (a collection without parallelization runs after the others): their hundred connections and 64 MiB of
/// held replies would otherwise load the machine under the fuzz test's time budget.
/// </remarks>
[Collection(nameof(LivenessTests))]
public sealed partial class LivenessTests
{
    private const int MiB = 1 << 20;

    [Fact]
    public async Task A_stop_drops_a_client_that_never_reads_its_replies_after_the_shutdown_timeout()
    {
        TimeSpan shutdownTimeout = TimeSpan.FromSeconds(1);
        await using var host = TestServerHost.Start(size: 64 * MiB, configure: o => o.ShutdownTimeout = shutdownTimeout);
        var (client, _, _) = RawNbdClient.Open(host.SocketPath);
        using var _c = client;
        // All in one send, so the server has them at hand at once: it runs reads until their replies, which the client
        // does not take, use up the connection's budget; then it stops reading.
        byte[] requests = new byte[300 * NbdRequestHeader.Size];
        for (int i = 0; i < 300; i++)
        {
            new NbdRequestHeader(NbdMagic.Request, NbdCommandFlags.None, NbdCommand.Read, (ulong)i, (ulong)(i % 64) * MiB, MiB).Write(requests.AsSpan(i * NbdRequestHeader.Size));
        }

        client.Send(requests);
        Assert.True(host.Logger.WaitFor(LogLevel.Debug, "reading paused", timeoutMs: 60_000));
        await host.Server.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));

        var dropped = Assert.Single(host.Logger.Entries, e => e.Message.Contains("did not take its replies", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, dropped.Level);
        Assert.Matches(@"client #1 .* with [1-9][0-9]* requests unanswered", dropped.Message);

        // By the server's own clock: it waited the timeout for the client, and not much longer.
        var stopped = Assert.Single(host.Logger.Entries, e => e.Message.StartsWith("NBD server stopped", StringComparison.Ordinal));
        TimeSpan elapsed = TimeSpan.Parse(StoppedAfter().Match(stopped.Message).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(elapsed, shutdownTimeout, shutdownTimeout + TimeSpan.FromSeconds(10));
        Assert.True(client.IsClosedByServer());
    }

    [Fact]
    public async Task Clients_stalled_in_a_request_are_dropped_while_a_good_client_is_served_even_when_idle()
    {
        await using var host = TestServerHost.Start(size: MiB, configure: o => o.RequestReadTimeout = TimeSpan.FromSeconds(1));
        var (good, _, _) = RawNbdClient.Open(host.SocketPath);
        using var _g = good;
        AssertWritesAndReads(good, offset: 4096, fill: 0x11, cookie: 1);

        var stalled = new List<RawNbdClient>();
        try
        {
            byte[] header = new byte[NbdRequestHeader.Size];
            for (int i = 0; i < 100; i++)
            {
                var (client, _, _) = RawNbdClient.Open(host.SocketPath);
                stalled.Add(client);
                new NbdRequestHeader(NbdMagic.Request, NbdCommandFlags.None, NbdCommand.Read, (ulong)i, 0, 512).Write(header);
                client.Send(header.AsSpan(0, 10));
            }

            // One more stalls half-way through a write's payload.
            var (writer, _, _) = RawNbdClient.Open(host.SocketPath);
            stalled.Add(writer);
            byte[] write = new byte[NbdRequestHeader.Size + 4096];
            new NbdRequestHeader(NbdMagic.Request, NbdCommandFlags.None, NbdCommand.Write, 1000, 0, 4096).Write(write);
            write.AsSpan(NbdRequestHeader.Size).Fill(0x77);
            writer.Send(write.AsSpan(0, NbdRequestHeader.Size + 2048));

            AssertWritesAndReads(good, offset: 8192, fill: 0x22, cookie: 2);

            Assert.True(host.Logger.WaitFor(LogLevel.Warning, "stalled in the middle of a request (limit 00:00:01)", timeoutMs: 60_000, count: stalled.Count));
            Assert.All(stalled, client => Assert.True(client.IsClosedByServer()));
            Assert.Equal(0, host.Memory.Contents[0]);

            // The good client has been quiet between requests for longer than the timeout all this while.
            AssertWritesAndReads(good, offset: 12288, fill: 0x33, cookie: 3);
            Assert.Equal(1, host.Server.ConnectionCount);
        }
        finally
        {
            stalled.ForEach(client => client.Dispose());
        }
    }

    private static void AssertWritesAndReads(RawNbdClient client, ulong offset, byte fill, ulong cookie)
    {
        byte[] data = Enumerable.Repeat(fill, 512).ToArray();
        client.SendRequest(NbdCommand.Write, offset, 512, cookie, payload: data);
        var written = client.ReadReply();
        Assert.Equal((NbdErrno.None, cookie), (written.Error, written.Cookie));
        client.SendRequest(NbdCommand.Read, offset, 512, cookie);
        var read = client.ReadReply(512);
        Assert.Equal((NbdErrno.None, cookie), (read.Error, read.Cookie));
        Assert.Equal(data, read.Payload);
    }

    [GeneratedRegex(@"stopped, (\S+) after")]
    private static partial Regex StoppedAfter();
}
