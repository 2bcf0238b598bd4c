namespace Pmem.WriteCache.CrashTests;

/// <summary>What a crash image recovered to: the device's contents as read through the recovered cache, and how many blocks the image had committed.</summary>
internal sealed record RecoveredCache(byte[] Contents, int CommittedEntries, int BlockSize)
{
    public ReadOnlySpan<byte> Block(long block) => Contents.AsSpan((int)(block * BlockSize), BlockSize);

    public int Blocks => Contents.Length / BlockSize;
}
