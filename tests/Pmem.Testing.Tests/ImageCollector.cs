using System.Runtime.InteropServices;

namespace Pmem.Testing.Tests;

/// <summary>Explores a scenario with a check that accepts everything and keeps every image, grouped by crash point.</summary>
internal static class ImageCollector
{
    public static (CrashExploration Exploration, List<List<byte[]>> ImagesByCrashPoint) Collect(
        PmemModel model, Action<SimulatedPmem> scenario, CrashSimulationOptions? options = null)
    {
        var images = new List<List<byte[]>>();
        CrashExploration exploration = CrashSimulator.Explore(
            model,
            scenario,
            image =>
            {
                if (image.CrashPoint.Number > images.Count)
                {
                    images.Add([]);
                }

                images[image.CrashPoint.Number - 1].Add(image.ToArray());
            },
            options);
        return (exploration, images);
    }

    /// <summary>The distinct values the <see cref="ulong"/> at <paramref name="offset"/> takes over <paramref name="images"/>.</summary>
    public static ulong[] ValuesAt(IEnumerable<byte[]> images, int offset) =>
        [.. images.Select(image => MemoryMarshal.Read<ulong>(image.AsSpan(offset))).Distinct().Order()];
}
