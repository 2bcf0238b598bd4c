using System.Globalization;

namespace Pmem.WriteCache.Engine;

/// <summary>
/// The kernel's <c>MAX_WRITEBACK_JOBS</c>, the <c>writeback_jobs</c> in effect when the table line names none:
/// <c>min(0x10000000 / PAGE_SIZE, totalram_pages() / 16)</c> blocks, so writeback holds at most 256 MiB of pages or a
/// sixteenth of the machine's RAM in flight.
/// </summary>
internal static class DefaultWritebackJobs
{
    private const long MaxInFlightBytes = 0x10000000;
    private const int RamShare = 16;

    /// <summary>The default for this machine (RAM read once, from <c>/proc/meminfo</c>).</summary>
    public static uint Value { get; } = For(Environment.SystemPageSize, TotalRamBytes());

    /// <summary>The default for a machine with <paramref name="totalRamBytes"/> of RAM in pages of <paramref name="pageSize"/>.</summary>
    /// <param name="pageSize">PAGE_SIZE.</param>
    /// <param name="totalRamBytes">Total RAM (<c>MemTotal</c>).</param>
    /// <returns>Blocks in flight; at least 1.</returns>
    public static uint For(int pageSize, long totalRamBytes) =>
        (uint)Math.Max(1, Math.Min(MaxInFlightBytes / pageSize, totalRamBytes / pageSize / RamShare));

    /// <summary><c>MemTotal</c> of <c>/proc/meminfo</c>; where it cannot be read, the memory the runtime sees.</summary>
    private static long TotalRamBytes()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                // "MemTotal:       24576000 kB"
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields is ["MemTotal:", var kib, "kB"] && long.TryParse(kib, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                {
                    return value * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }
}
