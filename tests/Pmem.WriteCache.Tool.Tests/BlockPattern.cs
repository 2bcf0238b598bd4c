using System.Buffers.Binary;

namespace Pmem.WriteCache.Tool.Tests;

/// <summary>
/// Self-describing 4 KiB blocks for the power-cut test: the header names the block and the generation, the body is
/// derived from both, so a read proves which write (if any) it is, and that it is whole.
/// </summary>
internal static class BlockPattern
{
    public const int Size = 4096;

    public static byte[] Create(int block, int generation)
    {
        byte[] data = new byte[Size];
        BinaryPrimitives.WriteInt32LittleEndian(data, block);
        BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(4), generation);
        new Random(HashCode.Combine(block, generation)).NextBytes(data.AsSpan(8));
        return data;
    }

    /// <summary>The generation <paramref name="data"/> holds for <paramref name="block"/>: 0 for never written (zeroes), -1 for torn or foreign data.</summary>
    public static int GenerationOf(int block, ReadOnlySpan<byte> data)
    {
        if (!data.ContainsAnyExcept((byte)0))
        {
            return 0;
        }

        int generation = BinaryPrimitives.ReadInt32LittleEndian(data[4..]);
        return BinaryPrimitives.ReadInt32LittleEndian(data) == block && generation > 0 && data.SequenceEqual(Create(block, generation)) ? generation : -1;
    }
}
