using System.Buffers.Binary;

namespace Pmem.WriteCache.CrashTests;

/// <summary>
/// Recognisable block contents: a header naming the block and the version, then a fill derived from both, so a read
/// tells which write it came from and a block made of two writes (torn) matches neither.
/// </summary>
internal static class BlockPattern
{
    /// <summary>The version every origin block holds before the scenario starts.</summary>
    public const int InitialVersion = 0;

    public static byte[] Make(long block, int version, int blockSize, int count = 1)
    {
        byte[] data = new byte[blockSize * count];
        for (int i = 0; i < count; i++)
        {
            Fill(data.AsSpan(i * blockSize, blockSize), block + i, version);
        }

        return data;
    }

    public static void Fill(Span<byte> destination, long block, int version)
    {
        destination.Fill((byte)(((block * 31) + (version * 7) + 0x5A) | 1)); // odd: never the zeroes of a discard
        BinaryPrimitives.WriteInt64LittleEndian(destination, block);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], version);
    }

    public static bool Matches(ReadOnlySpan<byte> contents, long block, int version)
    {
        Span<byte> expected = stackalloc byte[contents.Length];
        Fill(expected, block, version);
        return contents.SequenceEqual(expected);
    }

    /// <summary>What the header of <paramref name="contents"/> claims, for failure messages.</summary>
    public static string Describe(ReadOnlySpan<byte> contents)
    {
        if (!contents.ContainsAnyExcept((byte)0))
        {
            return "zeroes";
        }

        long block = BinaryPrimitives.ReadInt64LittleEndian(contents);
        int version = BinaryPrimitives.ReadInt32LittleEndian(contents[8..]);
        return Matches(contents, block, version) ? $"block {block} version {version}" : $"torn or foreign bytes (header: block {block} version {version})";
    }
}
