namespace Pmem.Testing.Tests.Protocols;

/// <summary>
/// Appends a few entries to an <see cref="AppendOnlyLog"/>, acknowledging each once <c>Append</c> returns, and checks
/// that recovery after a crash finds every acknowledged entry and nothing that was not written.
/// </summary>
internal static class LogScenario
{
    public const int Entries = 3;

    public static void Run(SimulatedPmem pmem, LogFlaw flaw)
    {
        var log = new AppendOnlyLog(pmem.Span, flaw);
        for (int index = 0; index < Entries; index++)
        {
            log.Append(Entry(index));
            pmem.Acknowledge($"entry {index}");
        }
    }

    public static void Check(CrashImage image)
    {
        List<byte[]> recovered = AppendOnlyLog.Recover(image.Bytes);
        Assert.True(
            recovered.Count >= image.Acknowledged.Count,
            $"Recovery found {recovered.Count} entries but {image.Acknowledged.Count} were acknowledged.");
        for (int index = 0; index < recovered.Count; index++)
        {
            Assert.True(Entry(index).AsSpan().SequenceEqual(recovered[index]), $"Recovered entry {index} is not what was appended: {Convert.ToHexString(recovered[index])}.");
        }
    }

    /// <summary>A recognizable, non-zero 24-byte entry.</summary>
    public static byte[] Entry(int index)
    {
        byte[] entry = new byte[AppendOnlyLog.EntrySize];
        for (int i = 0; i < entry.Length; i++)
        {
            entry[i] = (byte)(0xA0 + (index * 16) + i);
        }

        return entry;
    }
}
