using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using Pmem.BlockDevices;
using Pmem.Nbd.Client;
using Pmem.Nbd.Protocol;
using Pmem.Nbd.Server;

namespace Pmem.Nbd.Tests;

/// <summary>
/// A seeded stream of malformed handshakes and requests. Every request case is invalid in at least one way, so the
/// devices must end exactly as they started; afterwards well-behaved clients (ours and nbdinfo) must still be served.
/// Set PMEM_NBD_FUZZ_SEED to replay a failure.
/// </summary>
public sealed class FuzzTests
{
    private const int Size = 1 << 20;
    private const int MaxPayload = 64 << 10;
    private const int HandshakeCases = 2_000;
    private const int RequestCases = 8_500;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Malformed_handshakes_and_requests_are_refused_and_change_nothing()
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable("PMEM_NBD_FUZZ_SEED"), out int s) ? s : 20240601;
        var random = new Random(seed);
        var writable = new MemoryBlockDevice(Size);
        var readOnly = new MemoryBlockDevice(Size);
        random.NextBytes(writable.Contents);
        random.NextBytes(readOnly.Contents);
        byte[] writableBefore = writable.Contents.ToArray();
        byte[] readOnlyBefore = readOnly.Contents.ToArray();
        await using var host = TestServerHost.Start(o =>
        {
            o.Exports.Add(new NbdExport("", writable));
            o.Exports.Add(new NbdExport("ro", readOnly, readOnly: true));
        }, o =>
        {
            o.MaxPayloadSize = MaxPayload;
            o.MaxSkippedPayload = 4 * MaxPayload;
            o.HandshakeTimeout = TimeSpan.FromSeconds(5);
        });

        var clock = Stopwatch.StartNew();
        int cases = 0;
        for (int i = 0; i < HandshakeCases && clock.Elapsed < Budget; i++, cases++)
        {
            FuzzHandshake(host.SocketPath, random, seed, i);
        }

        RawNbdClient? client = null;
        string export = "";
        try
        {
            for (int i = 0; i < RequestCases && clock.Elapsed < Budget; i++, cases++)
            {
                if (client is null)
                {
                    export = random.Next(4) == 0 ? "ro" : "";
                    (client, _, _) = RawNbdClient.Open(host.SocketPath, export, structured: random.Next(2) == 0);
                }

                if (!FuzzRequest(client, export, random, $"seed {seed}, request case {i}"))
                {
                    client.Dispose();
                    client = null;
                }
                else if (i % 16 == 0)
                {
                    // Interleaved good reads see the original data.
                    long offset = random.Next(Size / 512) * 512L;
                    client.SendRequest(NbdCommand.Read, (ulong)offset, 512, cookie: 0xfeed);
                    var reply = client.ReadReply(512);
                    byte[] data = reply.Structured ? reply.Payload[8..] : reply.Payload;
                    Assert.Equal((export == "ro" ? readOnlyBefore : writableBefore).AsSpan((int)offset, 512).ToArray(), data);
                }
            }
        }
        finally
        {
            client?.Dispose();
        }

        Assert.True(cases >= 10_000, $"only {cases} cases ran within {Budget}");
        Assert.True(writableBefore.AsSpan().SequenceEqual(writable.Contents), $"seed {seed}: a rejected request changed the writable export");
        Assert.True(readOnlyBefore.AsSpan().SequenceEqual(readOnly.Contents), $"seed {seed}: the read-only export changed");

        // Well-behaved clients are still served correctly.
        await using (var device = await NbdBlockDevice.ConnectAsync(host.Uri()))
        {
            byte[] data = Enumerable.Repeat((byte)0x6b, 8192).ToArray();
            await device.WriteAsync(4096, data, BlockWriteFlags.ForceUnitAccess);
            byte[] back = new byte[8192];
            await device.ReadAsync(4096, back);
            Assert.Equal(data, back);
        }

        var info = await ExternalProgram.RunCheckedAsync("nbdinfo", host.Uri("ro"));
        Assert.Contains("is_read_only: true", info.StandardOutput);
    }

    /// <summary>One connection with a garbled negotiation; the server must answer or hang up, never hang.</summary>
    private static void FuzzHandshake(string socketPath, Random random, int seed, int index)
    {
        using var client = RawNbdClient.Connect(socketPath);
        client.Receive(18);
        var bytes = new List<byte>();
        int kind = random.Next(6);
        uint clientFlags = kind == 0 ? (uint)random.Next() : (uint)random.Next(4);
        AppendUInt32(bytes, clientFlags);
        int options = random.Next(1, 5);
        for (int o = 0; o < options; o++)
        {
            ulong magic = random.Next(10) == 0 ? (ulong)random.NextInt64() : NbdMagic.Option;
            uint option = random.Next(3) == 0 ? (uint)random.Next() : (uint)random.Next(0, 13);
            byte[] data = new byte[random.Next(3) == 0 ? random.Next(0, 64) : random.Next(0, 12)];
            random.NextBytes(data);
            if (option is 6 or 7 && data.Length >= 4 && random.Next(2) == 0)
            {
                BinaryPrimitives.WriteUInt32BigEndian(data, (uint)random.Next(0, data.Length));
            }

            uint declared = random.Next(8) == 0 ? (uint)random.Next() : (uint)data.Length;
            AppendUInt64(bytes, magic);
            AppendUInt32(bytes, option);
            AppendUInt32(bytes, declared);
            bytes.AddRange(data);
        }

        if (kind == 1)
        {
            // Cut the message anywhere.
            int cut = random.Next(1, bytes.Count);
            bytes.RemoveRange(cut, bytes.Count - cut);
        }

        try
        {
            client.Send(bytes.ToArray());
            client.ShutdownSend();
        }
        catch (SocketException)
        {
            // The server may hang up before reading all of it.
        }

        Assert.True(client.IsClosedByServer(timeoutMs: 5000), $"seed {seed}, handshake case {index}: the server neither finished nor hung up");
    }

    /// <summary>Sends one invalid request; returns false when the connection is (rightly) gone afterwards.</summary>
    private static bool FuzzRequest(RawNbdClient client, string export, Random random, string context)
    {
        var command = (NbdCommand)random.Next(0, 7);
        if (command == NbdCommand.Disconnect)
        {
            command = NbdCommand.Read;
        }

        ulong offset = (ulong)random.Next(Size / 512) * 512;
        uint length = (uint)random.Next(1, 16) * 512;
        var flags = NbdCommandFlags.None;
        if (command == NbdCommand.Flush)
        {
            offset = 0;
            length = 0;
        }

        bool readOnly = export == "ro";
        int mutation = random.Next(readOnly ? 10 : 9);
        NbdErrno? expected = NbdErrno.EINVAL;
        uint magic = NbdMagic.Request;
        int payloadSent = -1;
        switch (mutation)
        {
            case 0:
                magic = (uint)random.Next() | 1u << 31;
                expected = null;
                break;
            case 1:
                command = (NbdCommand)random.Next(5, 0x10000);
                if (command == NbdCommand.WriteZeroes)
                {
                    command = NbdCommand.Cache;
                }

                break;
            case 2:
                flags = (NbdCommandFlags)(1 << random.Next(2, 16));
                break;
            case 3:
                if (command == NbdCommand.Flush)
                {
                    offset = 512;
                    break;
                }

                offset = random.Next(3) switch { 0 => (ulong)Size, 1 => ulong.MaxValue - (ulong)random.Next(0, 4096), _ => (ulong)Size - 512 };
                length = Math.Max(length, 1024);
                expected = command is NbdCommand.Write or NbdCommand.WriteZeroes ? NbdErrno.ENOSPC : NbdErrno.EINVAL;
                break;
            case 4:
                if (command == NbdCommand.Flush)
                {
                    length = 512;
                    break;
                }

                if (random.Next(2) == 0)
                {
                    offset += (ulong)random.Next(1, 512);
                }
                else
                {
                    length += (uint)random.Next(1, 512);
                }

                if (offset + length > Size)
                {
                    // Also past the end: the range is checked before alignment.
                    expected = command is NbdCommand.Write or NbdCommand.WriteZeroes ? NbdErrno.ENOSPC : NbdErrno.EINVAL;
                }

                break;
            case 5:
                command = NbdCommand.Write;
                offset = 0;
                length = (uint)random.Next(MaxPayload + 1, 4 * MaxPayload);
                break;
            case 6:
                command = NbdCommand.Write;
                payloadSent = random.Next(0, (int)length);
                expected = null;
                break;
            case 7:
                client.Send(new byte[random.Next(1, NbdRequestHeader.Size)]);
                return false;
            case 8:
                command = NbdCommand.Read;
                length = (uint)random.Next(MaxPayload + 1, int.MaxValue);
                offset = 0;
                break;
            case 9:
                command = random.Next(3) switch { 0 => NbdCommand.Write, 1 => NbdCommand.Trim, _ => NbdCommand.WriteZeroes };
                expected = NbdErrno.EPERM;
                break;
        }

        if (readOnly && command is NbdCommand.Write or NbdCommand.Trim or NbdCommand.WriteZeroes && mutation is not (0 or 1 or 2 or 5 or 6))
        {
            // On a read-only export the server refuses writes before looking at their range or alignment.
            expected = NbdErrno.EPERM;
        }

        if (mutation == 8)
        {
            // Structured clients get EOVERFLOW for oversize reads, simple ones EINVAL; either way it is refused.
            expected = null;
        }

        byte[]? payload = null;
        if (command == NbdCommand.Write)
        {
            payload = new byte[payloadSent >= 0 ? payloadSent : (int)Math.Min(length, 8 * MaxPayload)];
            payload.AsSpan().Fill(0xee);
        }

        client!.SendRequest(command, offset, length, cookie: 77, flags: flags, payload: payload, magic: magic);
        if (magic != NbdMagic.Request || payloadSent >= 0)
        {
            client.ShutdownSend();
            Assert.True(client.IsClosedByServer(), $"{context}: the server kept a broken connection open");
            return false;
        }

        var reply = client.ReadReply();
        Assert.True(reply.Cookie == 77, $"{context}: reply for cookie {reply.Cookie}");
        if (expected is { } errno)
        {
            Assert.True(reply.Error == errno, $"{context}: {command} flags={flags} offset={offset} length={length}: got {reply.Error}, expected {errno}");
        }
        else
        {
            Assert.True(reply.Error is NbdErrno.EINVAL or NbdErrno.EOVERFLOW, $"{context}: oversize read got {reply.Error}");
        }

        return true;
    }

    private static void AppendUInt32(List<byte> bytes, uint value)
    {
        byte[] b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        bytes.AddRange(b);
    }

    private static void AppendUInt64(List<byte> bytes, ulong value)
    {
        byte[] b = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, value);
        bytes.AddRange(b);
    }
}
