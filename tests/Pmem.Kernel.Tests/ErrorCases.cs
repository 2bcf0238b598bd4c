namespace Pmem.Kernel.Tests;

/// <summary>The cases of the error-text test, in the order both sides run them (later cases see the caches earlier ones formatted).</summary>
internal static class ErrorCases
{
    /// <summary>The cache the message cases go to, created after the table cases.</summary>
    public const string MessageTarget = "s /dev/vda /dev/vdb 4096 0";

    /// <summary>Blocks written to the message target before the messages, so flush has work.</summary>
    public const int BlocksWrittenBeforeMessages = 3;

    public static IReadOnlyList<ErrorCase> Tables { get; } =
    [
        new("E01-blocksize-3000", "s /dev/vda /dev/vdb 3000 0"),
        new("E02-blocksize-8192", "s /dev/vda /dev/vdb 8192 0"),
        new("E03-blocksize-256", "s /dev/vda /dev/vdb 256 0"),
        new("E04-low-above-high", "s /dev/vda /dev/vdb 4096 4 high_watermark 50 low_watermark 60"),
        new("E05-unknown-arg", "s /dev/vda /dev/vdb 4096 1 foo"),
        new("E06-unknown-arg-with-value", "s /dev/vda /dev/vdb 4096 2 foo 1"),
        new("E07-arg-count-beyond-line", "s /dev/vda /dev/vdb 4096 3 high_watermark 50"),
        new("E08-arg-count-19", "s /dev/vda /dev/vdb 4096 19 cleaner"),
        new("E09-high-watermark-101", "s /dev/vda /dev/vdb 4096 2 high_watermark 101"),
        new("E10-autocommit-time-too-big", "s /dev/vda /dev/vdb 4096 2 autocommit_time 3600001"),
        new("E11-fua-in-ssd-mode", "s /dev/vda /dev/vdb 4096 1 fua"),
        new("E12-bad-mode", "x /dev/vda /dev/vdb 4096 0"),
        new("E13-too-few-args", "s /dev/vda"),
        new("E14-no-arg-count", "s /dev/vda /dev/vdb 4096"),
        new("E15-missing-cache-device", "s /dev/vda /dev/vdz 4096 0"),
        new("E16-missing-origin-device", "s /dev/vdz /dev/vdb 4096 0"),
        new("E17-missing-device-and-bad-block-size", "s /dev/vda /dev/vdz 3000 0"),
        new("E18-cache-4KiB", "s /dev/vda /dev/vdc 4096 0"),
        new("E19-cache-8KiB", "s /dev/vda /dev/vdd 4096 0"),
        new("E20-bad-magic", "s /dev/vda /dev/vde 4096 0"),
        new("E21-bad-version", "s /dev/vda /dev/vdf 4096 0"),
        new("E22-n-blocks-too-big", "s /dev/vda /dev/vdg 4096 0"),
        new("E23-n-blocks-overflow", "s /dev/vda /dev/vdh 4096 0"),
        new("E24-format-4096", "s /dev/vda /dev/vdb 4096 0"),
        new("E25-block-size-mismatch", "s /dev/vda /dev/vdb 512 0"),
        new("E26-all-optional-args", "s /dev/vda /dev/vdb 4096 17 start_sector 0 high_watermark 60 low_watermark 40 writeback_jobs 100 autocommit_blocks 32 autocommit_time 500 max_age 10000 cleaner metadata_only pause_writeback 2000"),
        new("E27-all-optional-args-count-18", "s /dev/vda /dev/vdb 4096 18 start_sector 0 high_watermark 60 low_watermark 40 writeback_jobs 100 autocommit_blocks 32 autocommit_time 500 max_age 10000 cleaner metadata_only pause_writeback 2000"),
        new("E28-start-sector-8KiB-cache", "s /dev/vda /dev/vdd 4096 2 start_sector 8"),
        new("E29-start-sector-8", "s /dev/vda /dev/vdb 4096 2 start_sector 8"),
        new("E30-start-sector-past-end", "s /dev/vda /dev/vdb 4096 2 start_sector 32768"),
        new("E31-writeback-jobs-0", "s /dev/vda /dev/vdb 4096 2 writeback_jobs 0"),
        new("E32-max-age-0", "s /dev/vda /dev/vdb 4096 2 max_age 0"),
        new("E33-nofua-in-ssd-mode", "s /dev/vda /dev/vdb 4096 1 nofua"),
        new("E34-negative-watermark", "s /dev/vda /dev/vdb 4096 2 high_watermark -1"),
        new("E35-hex-block-size", "s /dev/vda /dev/vdb 0x1000 0"),
        new("P01-pmem-fua", "p /dev/vda /dev/pmem0 4096 1 fua"),
        new("P02-pmem-pause-writeback", "p /dev/vda /dev/pmem0 4096 2 pause_writeback 100"),
        new("P03-pmem-block-size-512", "p /dev/vda /dev/pmem0 512 0"),
        new("P04-pmem-cleaner-metadata-only", "p /dev/vda /dev/pmem0 512 3 cleaner metadata_only nofua"),
    ];

    public static IReadOnlyList<ErrorCase> Messages { get; } =
    [
        new("M01-unknown", "foo"),
        new("M02-flush-with-extra-word", "flush 1"),
        new("M03-flush", "flush"),
        new("M04-clear-stats", "clear_stats"),
        new("M05-flush-on-suspend", "flush_on_suspend"),
        new("M06-cleaner", "cleaner"),
        new("M07-upper-case", "FLUSH"),
        new("M08-clear-stats-with-extra-word", "clear_stats now"),
    ];

    /// <summary>Sent while the message target is suspended.</summary>
    public static ErrorCase SuspendedFlush { get; } = new("M09-flush-while-suspended", "flush");
}
