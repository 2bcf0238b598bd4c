using System.Buffers.Binary;
using System.Text;
using Pmem.Nbd.Protocol;

namespace Pmem.Nbd.Client;

/// <summary>
/// The client side of fixed-newstyle negotiation: <c>NBD_OPT_GO</c> asking for block sizes, falling back to
/// <c>NBD_OPT_EXPORT_NAME</c> for servers that do not know <c>GO</c>.
/// </summary>
internal static class NbdClientHandshake
{
    private const int MaxReplyLength = 64 * 1024;

    public static async Task<NbdNegotiatedExport> RunAsync(SocketInput input, SocketOutput output, string exportName, CancellationToken cancellationToken)
    {
        byte[] greeting = new byte[18];
        await input.ReadExactlyAsync(greeting, cancellationToken).ConfigureAwait(false);
        ulong magic = BinaryPrimitives.ReadUInt64BigEndian(greeting);
        if (magic != NbdMagic.Init)
        {
            throw new NbdProtocolException($"The server did not greet with NBDMAGIC (got 0x{magic:x16}); it is not an NBD server.");
        }

        ulong style = BinaryPrimitives.ReadUInt64BigEndian(greeting.AsSpan(8));
        if (style == NbdMagic.OldStyle)
        {
            throw new NbdProtocolException("The server speaks the oldstyle NBD handshake, which this client does not support.");
        }

        if (style != NbdMagic.Option)
        {
            throw new NbdProtocolException($"The server's handshake magic 0x{style:x16} is neither newstyle nor oldstyle.");
        }

        var serverFlags = (NbdHandshakeFlags)BinaryPrimitives.ReadUInt16BigEndian(greeting.AsSpan(16));
        if ((serverFlags & NbdHandshakeFlags.FixedNewstyle) == 0)
        {
            throw new NbdProtocolException("The server does not support fixed newstyle negotiation.");
        }

        bool noZeroes = (serverFlags & NbdHandshakeFlags.NoZeroes) != 0;
        byte[] clientFlags = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(clientFlags, (uint)(NbdClientFlags.FixedNewstyle | (noZeroes ? NbdClientFlags.NoZeroes : NbdClientFlags.None)));
        await output.SendAsync(clientFlags, cancellationToken).ConfigureAwait(false);

        byte[] name = Encoding.UTF8.GetBytes(exportName);
        byte[] go = new byte[4 + name.Length + 2 + 2];
        BinaryPrimitives.WriteUInt32BigEndian(go, (uint)name.Length);
        name.CopyTo(go.AsSpan(4));
        BinaryPrimitives.WriteUInt16BigEndian(go.AsSpan(4 + name.Length), 1);
        BinaryPrimitives.WriteUInt16BigEndian(go.AsSpan(6 + name.Length), (ushort)NbdInfoType.BlockSize);
        await SendOptionAsync(output, NbdOption.Go, go, cancellationToken).ConfigureAwait(false);

        long size = -1;
        NbdTransmissionFlags flags = NbdTransmissionFlags.None;
        int minimum = 1;
        int preferred = 4096;
        uint maxPayload = 32 * 1024 * 1024;
        byte[] header = new byte[20];
        while (true)
        {
            await input.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
            if (BinaryPrimitives.ReadUInt64BigEndian(header) != NbdMagic.OptionReply)
            {
                throw new NbdProtocolException("The server's option reply has the wrong magic.");
            }

            var type = (NbdOptionReplyType)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12));
            uint length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(16));
            if (length > MaxReplyLength)
            {
                throw new NbdProtocolException($"The server's option reply of {length} bytes is implausibly large.");
            }

            byte[] data = new byte[length];
            await input.ReadExactlyAsync(data, cancellationToken).ConfigureAwait(false);
            switch (type)
            {
                case NbdOptionReplyType.Info when data.Length >= 2:
                    var info = (NbdInfoType)BinaryPrimitives.ReadUInt16BigEndian(data);
                    if (info == NbdInfoType.Export && data.Length == 12)
                    {
                        size = checked((long)BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(2)));
                        flags = (NbdTransmissionFlags)BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(10));
                    }
                    else if (info == NbdInfoType.BlockSize && data.Length == 14)
                    {
                        minimum = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(2)));
                        preferred = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(6)));
                        maxPayload = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(10));
                    }

                    break;

                case NbdOptionReplyType.Info:
                    throw new NbdProtocolException("The server sent an empty NBD_REP_INFO.");

                case NbdOptionReplyType.Ack:
                    if (size < 0)
                    {
                        throw new NbdProtocolException("The server accepted NBD_OPT_GO without sending NBD_INFO_EXPORT.");
                    }

                    return new NbdNegotiatedExport(size, flags, minimum, preferred, maxPayload);

                case NbdOptionReplyType.ErrorUnsupported:
                    return await ExportNameAsync(input, output, name, noZeroes, cancellationToken).ConfigureAwait(false);

                case NbdOptionReplyType.ErrorUnknown:
                    throw new NbdProtocolException($"The server has no export named '{exportName}'{Detail(data)}.");

                default:
                    throw new NbdProtocolException(((uint)type & 0x80000000) != 0
                        ? $"The server refused export '{exportName}' with {type} (0x{(uint)type:x}){Detail(data)}."
                        : $"The server sent unexpected reply {type} (0x{(uint)type:x}) to NBD_OPT_GO.");
            }
        }
    }

    private static async Task<NbdNegotiatedExport> ExportNameAsync(SocketInput input, SocketOutput output, byte[] name, bool noZeroes, CancellationToken cancellationToken)
    {
        await SendOptionAsync(output, NbdOption.ExportName, name, cancellationToken).ConfigureAwait(false);
        byte[] reply = new byte[10 + (noZeroes ? 0 : 124)];
        try
        {
            await input.ReadExactlyAsync(reply, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException e)
        {
            throw new NbdProtocolException($"The server closed the connection: it has no export named '{Encoding.UTF8.GetString(name)}'.", e);
        }

        return new NbdNegotiatedExport(
            checked((long)BinaryPrimitives.ReadUInt64BigEndian(reply)),
            (NbdTransmissionFlags)BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(8)),
            1, 4096, 32 * 1024 * 1024);
    }

    private static ValueTask SendOptionAsync(SocketOutput output, NbdOption option, byte[] data, CancellationToken cancellationToken)
    {
        byte[] message = new byte[16 + data.Length];
        BinaryPrimitives.WriteUInt64BigEndian(message, NbdMagic.Option);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), (uint)option);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(12), (uint)data.Length);
        data.CopyTo(message.AsSpan(16));
        return output.SendAsync(message, cancellationToken);
    }

    private static string Detail(byte[] data) => data.Length == 0 ? string.Empty : $": {Encoding.UTF8.GetString(data)}";
}
