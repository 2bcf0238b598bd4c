using System.Buffers.Binary;
using System.Text;
using Pmem.Nbd.Protocol;

namespace Pmem.Nbd.Protocol;

/// <summary>Byte layouts of transmission replies, shared by the server and the tests that speak raw NBD.</summary>
internal static class NbdReplyFormat
{
    public const int SimpleHeaderSize = 16;
    public const int StructuredHeaderSize = 20;

    /// <summary>Room kept in front of read data so either reply header fits before it and the reply goes out in one send.</summary>
    public const int ReadHeadroom = 32;

    /// <summary>Longest error message sent in an error chunk (the spec's limit for strings is 4096 bytes).</summary>
    public const int MaxErrorMessageBytes = 1024;

    public static void WriteSimple(Span<byte> destination, NbdErrno error, ulong cookie)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, NbdMagic.SimpleReply);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], (uint)error);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], cookie);
    }

    public static void WriteStructured(Span<byte> destination, bool done, NbdStructuredReplyType type, ulong cookie, int payloadLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, NbdMagic.StructuredReply);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)(done ? 1 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)type);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], cookie);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], (uint)payloadLength);
    }

    /// <summary>
    /// Fills the headroom in front of <paramref name="dataLength"/> bytes of read data at <see cref="ReadHeadroom"/>,
    /// and returns the slice of <paramref name="buffer"/> that is the whole reply.
    /// </summary>
    public static ArraySegment<byte> FrameReadData(byte[] buffer, int dataLength, ulong cookie, ulong offset, bool structured)
    {
        if (!structured)
        {
            int start = ReadHeadroom - SimpleHeaderSize;
            WriteSimple(buffer.AsSpan(start), NbdErrno.None, cookie);
            return new ArraySegment<byte>(buffer, start, SimpleHeaderSize + dataLength);
        }

        int chunkStart = ReadHeadroom - StructuredHeaderSize - 8;
        WriteStructured(buffer.AsSpan(chunkStart), done: true, NbdStructuredReplyType.OffsetData, cookie, 8 + dataLength);
        BinaryPrimitives.WriteUInt64BigEndian(buffer.AsSpan(chunkStart + StructuredHeaderSize), offset);
        return new ArraySegment<byte>(buffer, chunkStart, StructuredHeaderSize + 8 + dataLength);
    }

    /// <summary>An <c>NBD_REPLY_TYPE_ERROR</c> chunk with the done flag, carrying a message for humans.</summary>
    public static byte[] StructuredError(ulong cookie, NbdErrno error, string message)
    {
        byte[] text = Encoding.UTF8.GetBytes(message);
        int textLength = Math.Min(text.Length, MaxErrorMessageBytes);
        byte[] reply = new byte[StructuredHeaderSize + 6 + textLength];
        WriteStructured(reply, done: true, NbdStructuredReplyType.Error, cookie, 6 + textLength);
        BinaryPrimitives.WriteUInt32BigEndian(reply.AsSpan(StructuredHeaderSize), (uint)error);
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(StructuredHeaderSize + 4), (ushort)textLength);
        text.AsSpan(0, textLength).CopyTo(reply.AsSpan(StructuredHeaderSize + 6));
        return reply;
    }
}
