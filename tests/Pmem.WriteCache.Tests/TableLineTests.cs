namespace Pmem.WriteCache.Tests;

/// <summary>The table line: every optional argument, the kernel's defaults, validation texts and the dmsetup table form.</summary>
public sealed class TableLineTests
{
    [Fact]
    public void EveryOptionalArgumentParsesAndPrintsBackInTheKernelsOrder()
    {
        WriteCacheTable table = WriteCacheTable.Parse(
            "p /dev/sdb /dev/pmem0 4096 17 NOFUA cleaner max_age 5000 autocommit_time 20 autocommit_blocks 16 writeback_jobs 8 low_watermark 10 high_watermark 20 start_sector 8 metadata_only");
        WriteCacheOptions o = table.Options;
        Assert.Equal(WriteCacheMode.Pmem, o.Mode);
        Assert.Equal((8UL, 20, 10, 8U, 16U), (o.StartSector!.Value, o.HighWatermark!.Value, o.LowWatermark!.Value, o.WritebackJobs!.Value, o.AutocommitBlocks!.Value));
        Assert.Equal(TimeSpan.FromMilliseconds(20), o.AutocommitTime);
        Assert.Equal(TimeSpan.FromMilliseconds(5000), o.MaxAge);
        Assert.True(o.Cleaner && o.MetadataOnly && o.Fua == false);
        Assert.Equal(
            "p /dev/sdb /dev/pmem0 4096 17 start_sector 8 high_watermark 20 low_watermark 10 writeback_jobs 8 autocommit_blocks 16 autocommit_time 20 max_age 5000 cleaner nofua metadata_only",
            table.ToString());
    }

    [Fact]
    public void SsdModeTakesPauseWritebackAndHasTheSsdDefaults()
    {
        WriteCacheTable table = WriteCacheTable.Parse("s origin cache 512 2 pause_writeback 100");
        Assert.Equal(TimeSpan.FromMilliseconds(100), table.Options.EffectivePauseWriteback);
        Assert.Equal("s origin cache 512 2 pause_writeback 100", table.ToString());
        WriteCacheOptions defaults = WriteCacheTable.Parse("s o c 4096 0").Options;
        Assert.Equal((50, 45, 65536U, 1000.0, false, 3000.0), (defaults.EffectiveHighWatermark, defaults.EffectiveLowWatermark, defaults.EffectiveAutocommitBlocks,
            defaults.EffectiveAutocommitTime.TotalMilliseconds, defaults.EffectiveFua, defaults.EffectivePauseWriteback.TotalMilliseconds));
        WriteCacheOptions pmem = WriteCacheTable.Parse("p o c 4096 0").Options;
        Assert.Equal((64U, true, 0.0), (pmem.EffectiveAutocommitBlocks, pmem.EffectiveFua, pmem.EffectivePauseWriteback.TotalMilliseconds));
        Assert.Equal("p o c 4096 0", WriteCacheTable.Parse("P o c 4096 0").ToString());
    }

    [Theory]
    [InlineData("", "Bad arguments")]
    [InlineData("x o c 4096 0", "Bad arguments")]
    [InlineData("p o c", "Bad arguments")]
    [InlineData("p o c 3000 0", "Invalid block size")]
    [InlineData("p o c 256 0", "Invalid block size")]
    [InlineData("p o c 8192 0", "Invalid block size")]
    [InlineData("p o c 4096x 0", "Invalid block size")]
    [InlineData("p o c 4096", "Invalid number of feature args")]
    [InlineData("p o c 4096 3 cleaner", "Invalid number of feature args")]
    [InlineData("p o c 4096 19 cleaner", "Invalid number of feature args")]
    [InlineData("p o c 4096 -1", "Invalid number of feature args")]
    [InlineData("p o c 4096 1 bogus", "Invalid optional argument")]
    [InlineData("p o c 4096 1 high_watermark", "Invalid optional argument")]
    [InlineData("p o c 4096 2 high_watermark 101", "Invalid optional argument")]
    [InlineData("p o c 4096 2 low_watermark -1", "Invalid optional argument")]
    [InlineData("p o c 4096 2 writeback_jobs 1x", "Invalid optional argument")]
    [InlineData("p o c 4096 2 autocommit_time 3600001", "Invalid optional argument")]
    [InlineData("p o c 4096 2 max_age 86400001", "Invalid optional argument")]
    [InlineData("p o c 4096 2 pause_writeback 10", "Invalid optional argument")]
    [InlineData("s o c 4096 2 pause_writeback 60001", "Invalid optional argument")]
    [InlineData("s o c 4096 1 fua", "Invalid optional argument")]
    [InlineData("s o c 4096 1 nofua", "Invalid optional argument")]
    [InlineData("p o c 4096 4 high_watermark 40 low_watermark 41", "High watermark must be greater than or equal to low watermark")]
    [InlineData("p o c 4096 2 low_watermark 51", "High watermark must be greater than or equal to low watermark")]
    public void MalformedLinesGetTheKernelsMessage(string line, string kernelMessage)
    {
        var e = Assert.Throws<WriteCacheConfigurationException>(() => WriteCacheTable.Parse(line));
        Assert.Equal(kernelMessage, e.KernelMessage);
        Assert.Equal(LinuxErrno.EINVAL, e.Errno);
        Assert.StartsWith(kernelMessage, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TypedOptionsValidateLikeTheTableLine()
    {
        Assert.Equal("Invalid block size", Assert.Throws<WriteCacheConfigurationException>(() => new WriteCacheOptions(WriteCacheMode.Pmem, 1000).Validate()).KernelMessage);
        Assert.Equal("Invalid optional argument", Assert.Throws<WriteCacheConfigurationException>(
            () => new WriteCacheOptions(WriteCacheMode.Ssd) { Fua = true }.Validate()).KernelMessage);
        Assert.Equal("Invalid optional argument", Assert.Throws<WriteCacheConfigurationException>(
            () => new WriteCacheOptions(WriteCacheMode.Pmem) { AutocommitTime = TimeSpan.FromTicks(5) }.Validate()).KernelMessage);
        new WriteCacheOptions(WriteCacheMode.Ssd, 512) { HighWatermark = 0, LowWatermark = 0 }.Validate();
    }
}
