namespace Pmem.WriteCache.Tool.Tests;

/// <summary>Indexes into <see cref="Tool.StatusAsync"/>'s fields (the dmsetup line without the word "writecache").</summary>
internal static class StatusField
{
    public const int Sectors = 1;
    public const int Error = 2;
    public const int Blocks = 3;
    public const int Free = 4;
    public const int Writeback = 5;
    public const int Reads = 6;
    public const int ReadHits = 7;
    public const int Writes = 8;
    public const int Flushes = 14;
}
