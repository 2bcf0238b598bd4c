namespace Pmem.WriteCache.Tests;

/// <summary>Recognisable block contents: every byte of block <c>n</c> version <c>v</c> is derived from both.</summary>
internal static class Blocks
{
    public static byte[] Make(long block, int version, int blockSize = 4096, int count = 1)
    {
        byte[] data = new byte[blockSize * count];
        for (int i = 0; i < count; i++)
        {
            data.AsSpan(i * blockSize, blockSize).Fill((byte)((((block + i) * 31) + (version * 7) + 1) & 0xFF));
            BitConverter.TryWriteBytes(data.AsSpan(i * blockSize), block + i);
            BitConverter.TryWriteBytes(data.AsSpan((i * blockSize) + 8), version);
        }

        return data;
    }

    public static async Task<byte[]> Read(Pmem.BlockDevices.IBlockDevice device, long block, int blockSize = 4096, int count = 1)
    {
        byte[] data = new byte[blockSize * count];
        await device.ReadAsync(block * blockSize, data);
        return data;
    }
}
