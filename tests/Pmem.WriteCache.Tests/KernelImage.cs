using System.Buffers.Binary;

namespace Pmem.WriteCache.Tests;

/// <summary>
/// An independent writer and reader of the dm-writecache format, written from the reference notes
/// (<c>/work/shared/reference/dm-writecache.md</c>) with explicit little-endian byte access and none of the engine's
/// code, so a disagreement between the two is a test failure rather than a shared bug.
/// </summary>
internal static class KernelImage
{
    public const uint Magic = 0x23489321;
    public const ulong Free = ulong.MaxValue;

    /// <summary>The number of blocks the kernel gives an area of <paramref name="size"/> bytes.</summary>
    public static long BlockCount(long size, int blockSize)
    {
        for (long n = size / (blockSize + 16); n > 0; n--)
        {
            if (DataStart(n, blockSize) + (n * blockSize) <= size)
            {
                return n;
            }
        }

        return 0;
    }

    public static long DataStart(long blocks, int blockSize) => (64 + (16 * blocks) + blockSize - 1) / blockSize * blockSize;

    /// <summary>Formats <paramref name="area"/> as the kernel's init_memory leaves it.</summary>
    public static long Format(Span<byte> area, int blockSize)
    {
        long n = BlockCount(area.Length, blockSize);
        area[..64].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(area[4..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(area[8..], (uint)blockSize);
        BinaryPrimitives.WriteUInt64LittleEndian(area[16..], (ulong)n);
        BinaryPrimitives.WriteUInt64LittleEndian(area[24..], 0);
        area.Slice(64, (int)(16 * n)).Fill(0xFF);
        BinaryPrimitives.WriteUInt32LittleEndian(area, Magic);
        return n;
    }

    public static void WriteEntry(Span<byte> area, long index, ulong sector, ulong seq)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(area[(int)(64 + (16 * index))..], sector);
        BinaryPrimitives.WriteUInt64LittleEndian(area[(int)(72 + (16 * index))..], seq);
    }

    public static (ulong Sector, ulong Seq) ReadEntry(ReadOnlySpan<byte> area, long index) =>
        (BinaryPrimitives.ReadUInt64LittleEndian(area[(int)(64 + (16 * index))..]), BinaryPrimitives.ReadUInt64LittleEndian(area[(int)(72 + (16 * index))..]));

    public static void WriteData(Span<byte> area, long index, ReadOnlySpan<byte> block)
    {
        int blockSize = BlockSize(area);
        block.CopyTo(area[(int)(DataStart(Blocks(area), blockSize) + (index * blockSize))..]);
    }

    public static ReadOnlySpan<byte> Data(ReadOnlySpan<byte> area, long index)
    {
        int blockSize = BlockSize(area);
        return area.Slice((int)(DataStart(Blocks(area), blockSize) + (index * blockSize)), blockSize);
    }

    public static void SetSeqCount(Span<byte> area, ulong seq) => BinaryPrimitives.WriteUInt64LittleEndian(area[24..], seq);

    public static ulong SeqCount(ReadOnlySpan<byte> area) => BinaryPrimitives.ReadUInt64LittleEndian(area[24..]);

    public static int BlockSize(ReadOnlySpan<byte> area) => (int)BinaryPrimitives.ReadUInt32LittleEndian(area[8..]);

    public static long Blocks(ReadOnlySpan<byte> area) => (long)BinaryPrimitives.ReadUInt64LittleEndian(area[16..]);

    /// <summary>
    /// The kernel's recovery rules, read-only: committed entries (seq below the superblock's) indexed by sector,
    /// the higher seq winning; equal seqs are an error.
    /// </summary>
    public static Dictionary<ulong, (long Index, ulong Seq)> Recover(ReadOnlySpan<byte> area)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(area) != Magic || BinaryPrimitives.ReadUInt32LittleEndian(area[4..]) != 1)
        {
            throw new InvalidDataException("not a dm-writecache superblock");
        }

        ulong seqCount = SeqCount(area);
        var blocks = new Dictionary<ulong, (long, ulong)>();
        for (long i = 0; i < Blocks(area); i++)
        {
            (ulong sector, ulong seq) = ReadEntry(area, i);
            if (seq >= seqCount)
            {
                continue;
            }

            if (blocks.TryGetValue(sector, out (long Index, ulong Seq) old))
            {
                if (old.Seq == seq)
                {
                    throw new InvalidDataException($"two identical entries at {old.Index} and {i}");
                }

                if (old.Seq > seq)
                {
                    continue;
                }
            }

            blocks[sector] = (i, seq);
        }

        return blocks;
    }
}
