using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Pmem.Nbd.Protocol;

namespace Pmem.Nbd.Tests;

/// <summary>
/// A deliberately low-level NBD client that sends exactly the bytes a test asks for, so tests can misbehave on purpose
/// and check the server's answer byte by byte. Every read has a timeout, so a silent server fails the test instead of hanging it.
/// </summary>
internal sealed class RawNbdClient : IDisposable
{
    private readonly Socket _socket;

    private RawNbdClient(Socket socket) => _socket = socket;

    public record OptionReply(NbdOption Option, NbdOptionReplyType Type, byte[] Data);

    public record Reply(bool Structured, NbdErrno Error, ulong Cookie, ushort Flags, NbdStructuredReplyType Type, byte[] Payload);

    public static RawNbdClient Connect(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveTimeout = 5000, SendTimeout = 5000 };
        socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        return new RawNbdClient(socket);
    }

    /// <summary>Connects, checks the greeting and sends client flags.</summary>
    public static RawNbdClient Greet(string socketPath, NbdClientFlags flags = NbdClientFlags.FixedNewstyle | NbdClientFlags.NoZeroes)
    {
        var client = Connect(socketPath);
        byte[] greeting = client.Receive(18);
        Assert.Equal(NbdMagic.Init, BinaryPrimitives.ReadUInt64BigEndian(greeting));
        Assert.Equal(NbdMagic.Option, BinaryPrimitives.ReadUInt64BigEndian(greeting.AsSpan(8)));
        Assert.Equal(NbdHandshakeFlags.FixedNewstyle | NbdHandshakeFlags.NoZeroes, (NbdHandshakeFlags)BinaryPrimitives.ReadUInt16BigEndian(greeting.AsSpan(16)));
        client.SendUInt32((uint)flags);
        return client;
    }

    /// <summary>Negotiates up to transmission with NBD_OPT_GO; returns the export size and flags.</summary>
    public static (RawNbdClient Client, ulong Size, NbdTransmissionFlags Flags) Open(string socketPath, string export = "", bool structured = false)
    {
        var client = Greet(socketPath);
        if (structured)
        {
            client.SendOption(NbdOption.StructuredReply, []);
            Assert.Equal(NbdOptionReplyType.Ack, client.ReadOptionReply().Type);
        }

        client.SendOption(NbdOption.Go, GoData(export, NbdInfoType.BlockSize));
        ulong size = 0;
        NbdTransmissionFlags flags = 0;
        while (true)
        {
            OptionReply reply = client.ReadOptionReply();
            if (reply.Type == NbdOptionReplyType.Ack)
            {
                return (client, size, flags);
            }

            Assert.Equal(NbdOptionReplyType.Info, reply.Type);
            if ((NbdInfoType)BinaryPrimitives.ReadUInt16BigEndian(reply.Data) == NbdInfoType.Export)
            {
                size = BinaryPrimitives.ReadUInt64BigEndian(reply.Data.AsSpan(2));
                flags = (NbdTransmissionFlags)BinaryPrimitives.ReadUInt16BigEndian(reply.Data.AsSpan(10));
            }
        }
    }

    public static byte[] GoData(string export, params NbdInfoType[] requests)
    {
        byte[] name = Encoding.UTF8.GetBytes(export);
        byte[] data = new byte[4 + name.Length + 2 + (2 * requests.Length)];
        BinaryPrimitives.WriteUInt32BigEndian(data, (uint)name.Length);
        name.CopyTo(data, 4);
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(4 + name.Length), (ushort)requests.Length);
        for (int i = 0; i < requests.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(6 + name.Length + (2 * i)), (ushort)requests[i]);
        }

        return data;
    }

    public void SendOption(NbdOption option, byte[] data, ulong magic = NbdMagic.Option, uint? declaredLength = null)
    {
        byte[] message = new byte[16 + data.Length];
        BinaryPrimitives.WriteUInt64BigEndian(message, magic);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), (uint)option);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(12), declaredLength ?? (uint)data.Length);
        data.CopyTo(message, 16);
        Send(message);
    }

    public OptionReply ReadOptionReply()
    {
        byte[] header = Receive(20);
        Assert.Equal(NbdMagic.OptionReply, BinaryPrimitives.ReadUInt64BigEndian(header));
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(16));
        return new OptionReply(
            (NbdOption)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(8)),
            (NbdOptionReplyType)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12)),
            Receive((int)length));
    }

    public void SendRequest(NbdCommand command, ulong offset, uint length, ulong cookie = 1, NbdCommandFlags flags = NbdCommandFlags.None, byte[]? payload = null, uint magic = NbdMagic.Request)
    {
        byte[] message = new byte[NbdRequestHeader.Size + (payload?.Length ?? 0)];
        new NbdRequestHeader(magic, flags, command, cookie, offset, length).Write(message);
        payload?.CopyTo(message, NbdRequestHeader.Size);
        Send(message);
    }

    /// <summary>Reads one reply; <paramref name="readLength"/> is the data length to expect after a successful simple read reply.</summary>
    public Reply ReadReply(int readLength = 0)
    {
        byte[] first = Receive(4);
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(first);
        if (magic == NbdMagic.SimpleReply)
        {
            byte[] rest = Receive(12);
            var error = (NbdErrno)BinaryPrimitives.ReadUInt32BigEndian(rest);
            byte[] payload = error == NbdErrno.None && readLength > 0 ? Receive(readLength) : [];
            return new Reply(false, error, BinaryPrimitives.ReadUInt64BigEndian(rest.AsSpan(4)), 0, 0, payload);
        }

        Assert.Equal(NbdMagic.StructuredReply, magic);
        byte[] header = Receive(16);
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(header);
        var type = (NbdStructuredReplyType)BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2));
        ulong cookie = BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(4));
        byte[] chunk = Receive((int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12)));
        NbdErrno errno = ((ushort)type & 0x8000) != 0 ? (NbdErrno)BinaryPrimitives.ReadUInt32BigEndian(chunk) : NbdErrno.None;
        return new Reply(true, errno, cookie, flags, type, chunk);
    }

    /// <summary>True if the server closed the connection (bounded wait).</summary>
    public bool IsClosedByServer(int timeoutMs = 5000)
    {
        _socket.ReceiveTimeout = timeoutMs;
        byte[] buffer = new byte[4096];
        long deadline = Environment.TickCount64 + timeoutMs;
        try
        {
            while (Environment.TickCount64 < deadline)
            {
                if (_socket.Receive(buffer) == 0)
                {
                    return true;
                }
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            return false;
        }

        return false;
    }

    public void Send(ReadOnlySpan<byte> bytes) => _socket.Send(bytes);

    public void SendUInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        Send(bytes);
    }

    public byte[] Receive(int count)
    {
        byte[] buffer = new byte[count];
        int done = 0;
        while (done < count)
        {
            int n = _socket.Receive(buffer, done, count - done, SocketFlags.None);
            if (n == 0)
            {
                throw new EndOfStreamException($"Server closed the connection after {done} of {count} bytes.");
            }

            done += n;
        }

        return buffer;
    }

    /// <summary>Half-closes: the server sees end of stream but can still send.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    public void Dispose() => _socket.Dispose();
}
