using System.Buffers.Binary;

namespace Pmem.Nbd.Protocol;

/// <summary>The fixed 28-byte header of a transmission request.</summary>
/// <param name="Magic">Should be <see cref="NbdMagic.Request"/>.</param>
/// <param name="Flags">Command flags.</param>
/// <param name="Command">Request type.</param>
/// <param name="Cookie">Opaque value the reply echoes.</param>
/// <param name="Offset">Byte offset in the export.</param>
/// <param name="Length">Byte count (and payload length for <see cref="NbdCommand.Write"/>).</param>
public readonly record struct NbdRequestHeader(uint Magic, NbdCommandFlags Flags, NbdCommand Command, ulong Cookie, ulong Offset, uint Length)
{
    /// <summary>Size of the header on the wire.</summary>
    public const int Size = 28;

    /// <summary>Decodes a header (big-endian, as on the wire).</summary>
    /// <param name="source">At least <see cref="Size"/> bytes.</param>
    /// <returns>The header.</returns>
    public static NbdRequestHeader Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt32BigEndian(source),
        (NbdCommandFlags)BinaryPrimitives.ReadUInt16BigEndian(source[4..]),
        (NbdCommand)BinaryPrimitives.ReadUInt16BigEndian(source[6..]),
        BinaryPrimitives.ReadUInt64BigEndian(source[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(source[16..]),
        BinaryPrimitives.ReadUInt32BigEndian(source[24..]));

    /// <summary>Encodes the header (big-endian, as on the wire).</summary>
    /// <param name="destination">At least <see cref="Size"/> bytes.</param>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, Magic);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)Flags);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)Command);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Cookie);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], Offset);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], Length);
    }
}
