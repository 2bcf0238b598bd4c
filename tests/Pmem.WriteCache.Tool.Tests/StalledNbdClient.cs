using System.Buffers.Binary;
using System.Net.Sockets;

namespace Pmem.WriteCache.Tool.Tests;

/// <summary>
/// An NBD client that sends many large reads and never reads a reply, so the server blocks writing replies into a
/// full socket — what a hung or malicious client does. Speaks just enough of the protocol: fixed newstyle, NBD_OPT_EXPORT_NAME.
/// </summary>
internal sealed class StalledNbdClient : IDisposable
{
    private const ulong OptionMagic = 0x49484156454F5054; // "IHAVEOPT"
    private const uint RequestMagic = 0x25609513;
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public static async Task<StalledNbdClient> ConnectAsync(string path)
    {
        var client = new StalledNbdClient();
        await client._socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        byte[] greeting = new byte[18]; // NBDMAGIC, IHAVEOPT, handshake flags
        await client.ReceiveExactlyAsync(greeting);
        byte[] hello = new byte[4 + 16];
        BinaryPrimitives.WriteUInt32BigEndian(hello, 3); // NBD_FLAG_C_FIXED_NEWSTYLE | NBD_FLAG_C_NO_ZEROES
        BinaryPrimitives.WriteUInt64BigEndian(hello.AsSpan(4), OptionMagic);
        BinaryPrimitives.WriteUInt32BigEndian(hello.AsSpan(12), 1); // NBD_OPT_EXPORT_NAME, name "" (length 0)
        await client._socket.SendAsync(hello);
        await client.ReceiveExactlyAsync(new byte[10]); // export size and transmission flags
        return client;
    }

    /// <summary>Sends <paramref name="count"/> reads of <paramref name="length"/> bytes each, pipelined.</summary>
    public async Task SendReadsAsync(int count, int length, long deviceLength)
    {
        byte[] request = new byte[28];
        for (int i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(request, RequestMagic);
            BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(4), 0); // flags 0, type NBD_CMD_READ
            BinaryPrimitives.WriteUInt64BigEndian(request.AsSpan(8), (ulong)i);
            BinaryPrimitives.WriteUInt64BigEndian(request.AsSpan(16), (ulong)(i * (long)length % deviceLength));
            BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(24), (uint)length);
            await _socket.SendAsync(request);
        }
    }

    public void Dispose() => _socket.Dispose();

    private async Task ReceiveExactlyAsync(byte[] buffer)
    {
        for (int done = 0; done < buffer.Length;)
        {
            int n = await _socket.ReceiveAsync(buffer.AsMemory(done));
            Assert.True(n > 0, "the NBD server closed the connection during the handshake");
            done += n;
        }
    }
}
