using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Pmem.Nbd.Protocol;

namespace Pmem.Nbd.Server;

/// <summary>
/// The server side of fixed-newstyle negotiation: greets the client, answers its options, and ends with the export
/// it chose (or with nothing, when the client aborts or breaks the protocol).
/// </summary>
internal sealed class NbdServerHandshake
{
    /// <summary>The largest option payload read; legitimate options are a few KiB at most (names are capped at 4 KiB).</summary>
    internal const int MaxOptionDataLength = 64 * 1024;

    private const int OptionHeaderSize = 16;
    private const int ExportNameReplyPadding = 124;

    private readonly SocketInput _input;
    private readonly SocketOutput _output;
    private readonly NbdServerOptions _options;
    private readonly IReadOnlyDictionary<string, NbdExport> _exports;
    private readonly ILogger _logger;
    private readonly string _peer;
    private bool _structuredReplies;
    private bool _noZeroes;

    public NbdServerHandshake(SocketInput input, SocketOutput output, NbdServerOptions options, IReadOnlyDictionary<string, NbdExport> exports, ILogger logger, string peer)
    {
        _input = input;
        _output = output;
        _options = options;
        _exports = exports;
        _logger = logger;
        _peer = peer;
    }

    /// <summary>Runs negotiation (blocking: on the connection's own thread); returns the session, or null if the client ended it without choosing an export.</summary>
    /// <exception cref="NbdProtocolException">The client broke the protocol; the caller hangs up.</exception>
    public NbdSession? Run()
    {
        byte[] greeting = new byte[18];
        BinaryPrimitives.WriteUInt64BigEndian(greeting, NbdMagic.Init);
        BinaryPrimitives.WriteUInt64BigEndian(greeting.AsSpan(8), NbdMagic.Option);
        BinaryPrimitives.WriteUInt16BigEndian(greeting.AsSpan(16), (ushort)(NbdHandshakeFlags.FixedNewstyle | NbdHandshakeFlags.NoZeroes));
        _output.Send(greeting);

        byte[] header = new byte[OptionHeaderSize];
        if (!_input.TryReadExactly(header.AsSpan(0, 4)))
        {
            return null;
        }

        var clientFlags = (NbdClientFlags)BinaryPrimitives.ReadUInt32BigEndian(header);
        const NbdClientFlags known = NbdClientFlags.FixedNewstyle | NbdClientFlags.NoZeroes;
        if ((clientFlags & ~known) != 0)
        {
            throw new NbdProtocolException($"Client flags 0x{(uint)clientFlags:x} include bits the server did not offer.");
        }

        _noZeroes = (clientFlags & NbdClientFlags.NoZeroes) != 0;

        for (int count = 0; ; count++)
        {
            if (count >= _options.MaxOptionsPerConnection)
            {
                throw new NbdProtocolException($"Client sent {_options.MaxOptionsPerConnection} options without entering transmission (the limit).");
            }

            if (!_input.TryReadExactly(header))
            {
                Log.ClosedDuringNegotiation(_logger, _peer);
                return null;
            }

            ulong magic = BinaryPrimitives.ReadUInt64BigEndian(header);
            if (magic != NbdMagic.Option)
            {
                throw new NbdProtocolException($"Option magic 0x{magic:x16} is not IHAVEOPT.");
            }

            var option = (NbdOption)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(8));
            uint length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12));
            if (length > MaxOptionDataLength)
            {
                throw new NbdProtocolException($"Option {option} carries {length} bytes of data (the limit is {MaxOptionDataLength}).");
            }

            byte[] data = new byte[length];
            _input.ReadExactly(data);

            NbdSession? session;
            bool keepGoing;
            (session, keepGoing) = HandleOption(option, data);
            if (session is not null || !keepGoing)
            {
                return session;
            }
        }
    }

    private (NbdSession? Session, bool KeepGoing) HandleOption(NbdOption option, byte[] data)
    {
        switch (option)
        {
            case NbdOption.ExportName:
                return (ExportName(data), false);

            case NbdOption.Abort:
                Log.NegotiationAborted(_logger, _peer);
                try
                {
                    Reply(option, NbdOptionReplyType.Ack, ReadOnlySpan<byte>.Empty);
                }
                catch (Exception e) when (e is IOException or SocketException)
                {
                    // The spec lets the client hang up without waiting for this acknowledgement.
                }

                return (null, false);

            case NbdOption.List:
                if (data.Length != 0)
                {
                    Error(option, NbdOptionReplyType.ErrorInvalid, "NBD_OPT_LIST takes no data.");
                    return (null, true);
                }

                foreach (NbdExport export in _exports.Values)
                {
                    Reply(option, NbdOptionReplyType.Server, ServerEntry(export));
                }

                Reply(option, NbdOptionReplyType.Ack, ReadOnlySpan<byte>.Empty);
                return (null, true);

            case NbdOption.Info:
            case NbdOption.Go:
                return (InfoOrGo(option, data), true);

            case NbdOption.StructuredReply:
                if (data.Length != 0)
                {
                    Error(option, NbdOptionReplyType.ErrorInvalid, "NBD_OPT_STRUCTURED_REPLY takes no data.");
                    return (null, true);
                }

                if (_structuredReplies)
                {
                    Error(option, NbdOptionReplyType.ErrorInvalid, "Structured replies are already negotiated.");
                    return (null, true);
                }

                _structuredReplies = true;
                Reply(option, NbdOptionReplyType.Ack, ReadOnlySpan<byte>.Empty);
                return (null, true);

            default:
                Log.UnsupportedOption(_logger, _peer, (uint)option);
                Error(option, NbdOptionReplyType.ErrorUnsupported, $"Option {(uint)option} is not supported by this server.");
                return (null, true);
        }
    }

    private NbdSession? ExportName(byte[] data)
    {
        if (data.Length > NbdExport.MaxStringBytes)
        {
            // NBD_OPT_EXPORT_NAME has no way to report an error: the spec says hang up.
            throw new NbdProtocolException(NbdExport.TooLong("name", data.Length));
        }

        string name = Encoding.UTF8.GetString(data);
        if (!_exports.TryGetValue(name, out NbdExport? export))
        {
            // NBD_OPT_EXPORT_NAME has no way to report an error: the spec says hang up.
            throw new NbdProtocolException($"Client asked for unknown export '{name}' with NBD_OPT_EXPORT_NAME.");
        }

        byte[] reply = new byte[10 + (_noZeroes ? 0 : ExportNameReplyPadding)];
        BinaryPrimitives.WriteUInt64BigEndian(reply, (ulong)export.Device.Length);
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(8), (ushort)export.TransmissionFlags);
        _output.Send(reply);
        return new NbdSession(export, _structuredReplies, AgreedBlockSizes: false);
    }

    private NbdSession? InfoOrGo(NbdOption option, byte[] data)
    {
        if (data.Length < 6)
        {
            Error(option, NbdOptionReplyType.ErrorInvalid, "Option data is shorter than 6 bytes.");
            return null;
        }

        uint nameLength = BinaryPrimitives.ReadUInt32BigEndian(data);
        if (nameLength > (uint)data.Length - 6)
        {
            Error(option, NbdOptionReplyType.ErrorInvalid, "Export name length runs past the option data.");
            return null;
        }

        if (nameLength > NbdExport.MaxStringBytes)
        {
            Error(option, NbdOptionReplyType.ErrorTooBig, NbdExport.TooLong("name", (int)nameLength));
            return null;
        }

        string name = Encoding.UTF8.GetString(data, 4, (int)nameLength);
        int at = 4 + (int)nameLength;
        int requestCount = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(at));
        at += 2;
        if (data.Length - at != requestCount * 2)
        {
            Error(option, NbdOptionReplyType.ErrorInvalid, "Information request count does not match the option length.");
            return null;
        }

        var requested = new HashSet<NbdInfoType>();
        for (int i = 0; i < requestCount; i++)
        {
            requested.Add((NbdInfoType)BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(at + (2 * i))));
        }

        if (!_exports.TryGetValue(name, out NbdExport? export))
        {
            Log.UnknownExport(_logger, _peer, name);
            Error(option, NbdOptionReplyType.ErrorUnknown, $"Export '{name}' does not exist.");
            return null;
        }

        byte[] info = new byte[14];
        BinaryPrimitives.WriteUInt16BigEndian(info, (ushort)NbdInfoType.Export);
        BinaryPrimitives.WriteUInt64BigEndian(info.AsSpan(2), (ulong)export.Device.Length);
        BinaryPrimitives.WriteUInt16BigEndian(info.AsSpan(10), (ushort)export.TransmissionFlags);
        Reply(option, NbdOptionReplyType.Info, info.AsSpan(0, 12));

        // Sent even when not requested (clients ignore what they did not ask for): a client that reads it learns
        // the alignment the server enforces instead of discovering it through EINVAL.
        BinaryPrimitives.WriteUInt16BigEndian(info, (ushort)NbdInfoType.BlockSize);
        BinaryPrimitives.WriteUInt32BigEndian(info.AsSpan(2), (uint)export.MinimumBlockSize);
        BinaryPrimitives.WriteUInt32BigEndian(info.AsSpan(6), (uint)export.PreferredBlockSize);
        BinaryPrimitives.WriteUInt32BigEndian(info.AsSpan(10), (uint)_options.MaxPayloadSize);
        Reply(option, NbdOptionReplyType.Info, info);

        if (requested.Contains(NbdInfoType.Name))
        {
            Reply(option, NbdOptionReplyType.Info, StringInfo(NbdInfoType.Name, export.Name));
        }

        if (requested.Contains(NbdInfoType.Description) && export.Description.Length > 0)
        {
            Reply(option, NbdOptionReplyType.Info, StringInfo(NbdInfoType.Description, export.Description));
        }

        Reply(option, NbdOptionReplyType.Ack, ReadOnlySpan<byte>.Empty);
        return option == NbdOption.Go
            ? new NbdSession(export, _structuredReplies, requested.Contains(NbdInfoType.BlockSize))
            : null;
    }

    private static byte[] StringInfo(NbdInfoType type, string value)
    {
        byte[] text = Encoding.UTF8.GetBytes(value);
        byte[] info = new byte[2 + text.Length];
        BinaryPrimitives.WriteUInt16BigEndian(info, (ushort)type);
        text.CopyTo(info.AsSpan(2));
        return info;
    }

    private static byte[] ServerEntry(NbdExport export)
    {
        byte[] name = Encoding.UTF8.GetBytes(export.Name);
        byte[] description = Encoding.UTF8.GetBytes(export.Description);
        byte[] entry = new byte[4 + name.Length + description.Length];
        BinaryPrimitives.WriteUInt32BigEndian(entry, (uint)name.Length);
        name.CopyTo(entry.AsSpan(4));
        description.CopyTo(entry.AsSpan(4 + name.Length));
        return entry;
    }

    private void Error(NbdOption option, NbdOptionReplyType error, string message)
        => Reply(option, error, Encoding.UTF8.GetBytes(message));

    private void Reply(NbdOption option, NbdOptionReplyType type, ReadOnlySpan<byte> data)
    {
        byte[] message = new byte[20 + data.Length];
        BinaryPrimitives.WriteUInt64BigEndian(message, NbdMagic.OptionReply);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), (uint)option);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(12), (uint)type);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(16), (uint)data.Length);
        data.CopyTo(message.AsSpan(20));
        _output.Send(message);
    }
}
