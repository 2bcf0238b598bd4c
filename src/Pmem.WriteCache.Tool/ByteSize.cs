using System.Globalization;

namespace Pmem.WriteCache.Tool;

/// <summary>Sizes as users write them on command lines: <c>1G</c>, <c>256M</c>, <c>64K</c>, <c>4096</c> (binary units).</summary>
internal static class ByteSize
{
    private static readonly (string Suffix, int Shift)[] Units = [("K", 10), ("M", 20), ("G", 30), ("T", 40)];

    /// <summary>Parses <paramref name="text"/>; a suffix K/M/G/T (optionally followed by <c>iB</c> or <c>B</c>) multiplies by 1024^n.</summary>
    /// <exception cref="ToolException">Not a positive size, or not a multiple of 512 bytes (the sector every device uses).</exception>
    public static long Parse(string text)
    {
        string number = StripUnit(text.Trim(), out int shift);
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value <= 0 || value > long.MaxValue >> shift)
        {
            throw new ToolException($"'{text}' is not a size; write it like 1G, 256M, 64K or a number of bytes.", ToolExitCode.BadInput);
        }

        long bytes = value << shift;
        if (bytes % WriteCacheOptions.SectorSize != 0)
        {
            throw new ToolException($"size '{text}' is {bytes} bytes, not a multiple of the {WriteCacheOptions.SectorSize}-byte sector.", ToolExitCode.BadInput);
        }

        return bytes;
    }

    private static string StripUnit(string text, out int shift)
    {
        foreach ((string suffix, int unitShift) in Units)
        {
            foreach (string spelling in new[] { suffix + "iB", suffix + "B", suffix })
            {
                if (text.EndsWith(spelling, StringComparison.OrdinalIgnoreCase))
                {
                    shift = unitShift;
                    return text[..^spelling.Length];
                }
            }
        }

        shift = 0;
        return text;
    }

    /// <summary>Formats a byte count with the largest binary unit that divides it, e.g. <c>256 MiB</c>.</summary>
    public static string Format(long bytes)
    {
        for (int i = Units.Length - 1; i >= 0; i--)
        {
            long unit = 1L << Units[i].Shift;
            if (bytes >= unit && bytes % unit == 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{bytes / unit} {Units[i].Suffix}iB");
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");
    }
}
