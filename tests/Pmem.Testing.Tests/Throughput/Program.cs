using System.Diagnostics;
using Pmem.Testing;
using Pmem.Testing.Tests.Protocols;

// How many crash images per minute the simulator checks for a small protocol: the correct append-only log of the
// tests (8 appends of 24-byte entries, each acknowledged), explored under ARM64 with a crash after every store, check =
// recover the log and compare it with what was acknowledged. Each round records the scenario anew, so the figure
// includes recording (with and without stack-trace capture) as well as building and checking images.
const int Appends = 8;
TimeSpan duration = TimeSpan.FromSeconds(args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 20);

Console.WriteLine($"Append-only log, {Appends} appends, ARM64 model, crash after every store (161 images per exploration); {duration.TotalSeconds:0} s per configuration, {Environment.ProcessorCount} cores.");
// The last configuration has the region size a writecache crash test uses: every image is a fresh 256 KiB copy.
foreach ((bool captureSourceLocations, int regionSize) in new[] { (true, 4096), (false, 4096), (true, 256 * 1024) })
{
    var options = new CrashSimulationOptions { CrashAfterEveryStore = true, CaptureSourceLocations = captureSourceLocations, RegionSize = regionSize };
    Measure(options, TimeSpan.FromSeconds(2)); // warm-up: JIT, PDB loading
    (long images, long rounds, TimeSpan elapsed) = Measure(options, duration);
    Console.WriteLine(
        $"region {regionSize / 1024,3} KiB, source locations {(captureSourceLocations ? "on " : "off")}: {images:N0} images in {rounds:N0} explorations, "
        + $"{elapsed.TotalSeconds:0.0} s -> {images / elapsed.TotalMinutes:N0} images/minute");
}

static (long Images, long Rounds, TimeSpan Elapsed) Measure(CrashSimulationOptions options, TimeSpan duration)
{
    long images = 0;
    long rounds = 0;
    var stopwatch = Stopwatch.StartNew();
    while (stopwatch.Elapsed < duration)
    {
        CrashExploration exploration = CrashSimulator.Explore(PmemModel.Arm64, Scenario, Check, options);
        exploration.ThrowIfFailed();
        images += exploration.ImagesChecked;
        rounds++;
    }

    return (images, rounds, stopwatch.Elapsed);
}

static void Scenario(SimulatedPmem pmem)
{
    var log = new AppendOnlyLog(pmem.Span);
    for (int index = 0; index < Appends; index++)
    {
        log.Append(Entry(index));
        pmem.Acknowledge(index);
    }
}

static void Check(CrashImage image)
{
    List<byte[]> recovered = AppendOnlyLog.Recover(image.Bytes);
    if (recovered.Count < image.Acknowledged.Count)
    {
        throw new InvalidOperationException($"{recovered.Count} entries recovered, {image.Acknowledged.Count} acknowledged.");
    }

    for (int index = 0; index < recovered.Count; index++)
    {
        if (!recovered[index].AsSpan().SequenceEqual(Entry(index)))
        {
            throw new InvalidOperationException($"Entry {index} is not what was appended.");
        }
    }
}

static byte[] Entry(int index)
{
    byte[] entry = new byte[AppendOnlyLog.EntrySize];
    entry.AsSpan().Fill((byte)(index + 1));
    return entry;
}
