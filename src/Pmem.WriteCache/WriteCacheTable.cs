using System.Globalization;
using System.Text;

namespace Pmem.WriteCache;

/// <summary>
/// A dm-writecache table line: <c>p|s &lt;origin&gt; &lt;cache&gt; &lt;block size&gt; &lt;#optional args&gt; [args...]</c>,
/// parsed with the kernel's rules and error texts, and printed back as <c>dmsetup table</c> does.
/// </summary>
/// <param name="Origin">The origin device as named on the line.</param>
/// <param name="Cache">The cache device as named on the line.</param>
/// <param name="Options">Mode, block size and the optional arguments.</param>
public sealed record WriteCacheTable(string Origin, string Cache, WriteCacheOptions Options)
{
    /// <summary>Most optional-argument words the kernel accepts after the count.</summary>
    public const int MaxOptionalArguments = 18;

    /// <summary>Parses <paramref name="line"/> exactly as the kernel's constructor does.</summary>
    /// <param name="line">The table line without the <c>start length writecache</c> prefix.</param>
    /// <returns>The parsed table.</returns>
    /// <exception cref="WriteCacheConfigurationException">The line is malformed; the message is the kernel's text.</exception>
    public static WriteCacheTable Parse(string line)
    {
        Queue<string> words = Words(line);
        WriteCacheMode parsedMode = ParseMode(words);
        string origin = NextOrigin(words);
        string cache = Next(words) ?? throw BadArguments("the cache device is missing");
        string blockSizeText = Next(words) ?? throw BadArguments("the block size is missing");
        if (!TryParseUnsigned(blockSizeText, uint.MaxValue, out ulong blockSize) || !WriteCacheOptions.IsValidBlockSize(blockSize))
        {
            throw WriteCacheOptions.InvalidBlockSize(blockSizeText);
        }

        var options = new WriteCacheOptions(parsedMode, (int)blockSize);
        string? countText = Next(words);
        if (countText is null || !TryParseUnsigned(countText, uint.MaxValue, out ulong count) || count > MaxOptionalArguments || count > (ulong)words.Count)
        {
            throw new WriteCacheConfigurationException("Invalid number of feature args", LinuxErrno.EINVAL,
                countText is null ? "the count of optional arguments is missing" : $"'{countText}' is not a count from 0 to {MaxOptionalArguments} of the {words.Count} words that follow");
        }

        int remaining = (int)count;
        while (remaining > 0)
        {
            string key = words.Dequeue();
            remaining--;
            options = ParseOptional(options, key, words, ref remaining);
        }

        options.Validate();
        return new WriteCacheTable(origin, cache, options);
    }

    /// <summary>The line as <c>dmsetup table</c> prints it: only the optional arguments that were given, in the kernel's order.</summary>
    /// <returns>The table line.</returns>
    public override string ToString()
    {
        WriteCacheOptions o = Options;
        var args = new List<string>();
        void Add(string key, object? value)
        {
            if (value is not null)
            {
                args.Add(key);
                args.Add(Convert.ToString(value, CultureInfo.InvariantCulture)!);
            }
        }

        Add("start_sector", o.StartSector);
        Add("high_watermark", o.HighWatermark);
        Add("low_watermark", o.LowWatermark);
        Add("writeback_jobs", o.WritebackJobs);
        Add("autocommit_blocks", o.AutocommitBlocks);
        Add("autocommit_time", Milliseconds(o.AutocommitTime));
        Add("max_age", Milliseconds(o.MaxAge));
        if (o.Cleaner)
        {
            args.Add("cleaner");
        }

        if (o.Fua is { } fua)
        {
            args.Add(fua ? "fua" : "nofua");
        }

        if (o.MetadataOnly)
        {
            args.Add("metadata_only");
        }

        Add("pause_writeback", Milliseconds(o.PauseWriteback));
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"{(o.Mode == WriteCacheMode.Pmem ? 'p' : 's')} {Origin} {Cache} {o.BlockSize} {args.Count}");
        foreach (string arg in args)
        {
            line.Append(' ').Append(arg);
        }

        return line.ToString();
    }

    private static WriteCacheOptions ParseOptional(WriteCacheOptions options, string key, Queue<string> words, ref int remaining)
    {
        bool hasValue = remaining >= 1;
        string lower = key.ToLowerInvariant();
        switch (lower)
        {
            case "cleaner":
                return options with { Cleaner = true };
            case "metadata_only":
                return options with { MetadataOnly = true };
            case "fua" or "nofua":
                return options.Mode == WriteCacheMode.Pmem
                    ? options with { Fua = lower == "fua" }
                    : throw WriteCacheOptions.InvalidOptional($"{key} applies to pmem mode only");
            case "pause_writeback" when options.Mode == WriteCacheMode.Pmem:
                throw WriteCacheOptions.InvalidOptional("pause_writeback applies to ssd mode only");
        }

        if (!hasValue || lower is not ("start_sector" or "high_watermark" or "low_watermark" or "writeback_jobs" or "autocommit_blocks"
            or "autocommit_time" or "max_age" or "pause_writeback"))
        {
            throw WriteCacheOptions.InvalidOptional(hasValue ? $"'{key}' is not an option of dm-writecache" : $"'{key}' has no value");
        }

        string text = words.Dequeue();
        remaining--;
        if (lower is "high_watermark" or "low_watermark")
        {
            // %d: a signed value, then range-checked, so "-1" is out of range rather than malformed.
            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int percent) || percent is < 0 or > 100)
            {
                throw WriteCacheOptions.InvalidOptional($"{key} '{text}' is not a percentage from 0 to 100");
            }

            return lower == "high_watermark" ? options with { HighWatermark = percent } : options with { LowWatermark = percent };
        }

        ulong limit = lower switch
        {
            "start_sector" => ulong.MaxValue,
            "autocommit_time" => WriteCacheOptions.MaxAutocommitTimeMilliseconds,
            "max_age" => WriteCacheOptions.MaxMaxAgeMilliseconds,
            "pause_writeback" => WriteCacheOptions.MaxPauseWritebackMilliseconds,
            _ => uint.MaxValue,
        };
        if (!TryParseUnsigned(text, limit, out ulong value))
        {
            throw WriteCacheOptions.InvalidOptional($"{key} '{text}' is not a number from 0 to {limit}");
        }

        return lower switch
        {
            "start_sector" => options with { StartSector = value },
            "writeback_jobs" => options with { WritebackJobs = (uint)value },
            "autocommit_blocks" => options with { AutocommitBlocks = (uint)value },
            "autocommit_time" => options with { AutocommitTime = TimeSpan.FromMilliseconds(value) },
            "max_age" => options with { MaxAge = TimeSpan.FromMilliseconds(value) },
            _ => options with { PauseWriteback = TimeSpan.FromMilliseconds(value) },
        };
    }

    /// <summary>
    /// The mode and the device names, checked only as far as the kernel's constructor checks the line before it looks
    /// the devices up (it looks each one up as it reaches its word, before it reads the block size).
    /// </summary>
    /// <param name="line">The table line.</param>
    /// <returns>The mode, the origin's name, and the cache's name if the line has one.</returns>
    /// <exception cref="WriteCacheConfigurationException">"Bad arguments": no mode, an unknown one, or no origin.</exception>
    internal static (WriteCacheMode Mode, string Origin, string? Cache) ParseDevices(string line)
    {
        Queue<string> words = Words(line);
        WriteCacheMode mode = ParseMode(words);
        string origin = NextOrigin(words);
        return (mode, origin, Next(words));
    }

    private static Queue<string> Words(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return new Queue<string>(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    private static WriteCacheMode ParseMode(Queue<string> words)
    {
        string mode = Next(words) ?? throw BadArguments("the mode (p or s) is missing");
        return mode.ToUpperInvariant() switch
        {
            "P" => WriteCacheMode.Pmem,
            "S" => WriteCacheMode.Ssd,
            _ => throw BadArguments($"mode '{mode}' is neither p nor s"),
        };
    }

    private static string NextOrigin(Queue<string> words) => Next(words) ?? throw BadArguments("the origin device is missing");

    private static string? Next(Queue<string> words) => words.Count == 0 ? null : words.Dequeue();

    /// <summary>The kernel's <c>sscanf("%u%c")</c> check: digits and nothing after them.</summary>
    private static bool TryParseUnsigned(string text, ulong max, out ulong value)
        => ulong.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && !text.StartsWith('-') && value <= max;

    private static uint? Milliseconds(TimeSpan? time) => time is { } t ? (uint)t.TotalMilliseconds : null;

    private static WriteCacheConfigurationException BadArguments(string detail) => new("Bad arguments", LinuxErrno.EINVAL, detail);
}
