namespace Pmem.Kernel.Tests;

/// <summary>
/// One invalid (or borderline) table line or message of the error-text test. Device names are the VM's: /dev/vda is the
/// 64 MiB origin, vdb a 16 MiB cache, vdc 4 KiB, vdd 8 KiB, vde-vdh 16 MiB caches with a bad magic, a bad version,
/// too many blocks and an n_blocks that overflows; /dev/pmem0 the 16 MiB fsdax NVDIMM. The host gives ours files of the
/// same sizes and contents in their place.
/// </summary>
/// <param name="Name">The case's name, printed by both sides.</param>
/// <param name="Line">The table line without <c>0 SECTORS writecache</c>, or the message words for a message case.</param>
/// <param name="KnownDifference">Why ours answers differently today (the issue item), or null when both must agree.</param>
internal sealed record ErrorCase(string Name, string Line, string? KnownDifference = null)
{
    /// <summary>Whether <see cref="Line"/> is a message to the cache opened by <see cref="ErrorCases.MessageTarget"/>.</summary>
    public bool IsMessage => Name.StartsWith('M');
}
