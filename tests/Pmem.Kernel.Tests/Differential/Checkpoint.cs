namespace Pmem.Kernel.Tests.Differential;

/// <summary>What one side showed at the end of a phase.</summary>
/// <param name="Status">The status line's fields after <c>writecache</c>.</param>
/// <param name="Table">The table line without its two device names.</param>
/// <param name="Hash">SHA-256 of the whole device, read one block at a time.</param>
internal sealed record Checkpoint(IReadOnlyList<string> Status, string Table, string Hash)
{
    /// <summary>The status fields' names, in the kernel's order.</summary>
    public static IReadOnlyList<string> StatusFields { get; } =
    [
        "error", "blocks", "free", "writeback", "reads", "read_hits", "writes", "write_hits_uncommitted",
        "write_hits_committed", "writes_around", "writes_allocate", "writes_blocked_on_freelist", "flushes", "discards",
    ];

    /// <summary>A table line's words without the device names (mode, then block size on).</summary>
    public static string WithoutDevices(IEnumerable<string> tableWords)
    {
        string[] words = [.. tableWords];
        return string.Join(' ', words.Take(1).Concat(words.Skip(3)));
    }
}
