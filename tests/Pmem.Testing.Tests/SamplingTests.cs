namespace Pmem.Testing.Tests;

/// <summary>Crash points with too many images are sampled, reproducibly from the seed.</summary>
public sealed class SamplingTests
{
    /// <summary>20 undetermined units before the commit: 2^20 images, far beyond the limit below.</summary>
    private static void WideCopy(SimulatedPmem pmem)
    {
        byte[] data = new byte[160];
        Array.Fill(data, (byte)0x5A);
        SimPersist.PmemMemcpy(pmem.Span, data);
        SimPersist.PmemFlush(pmem.Span[..160]);
        SimPersist.PmemCommit();
    }

    private static CrashSimulationOptions Sampling(int seed) => new() { Seed = seed, ExhaustiveLimit = 1000, SamplesPerCrashPoint = 50 };

    [Fact]
    public void ACrashPointBeyondTheExhaustiveLimitIsSampled()
    {
        var (exploration, images) = ImageCollector.Collect(PmemModel.Arm64, WideCopy, Sampling(seed: 7));

        Assert.Equal((1, 1), (exploration.SampledCrashPoints, exploration.ExhaustiveCrashPoints));
        Assert.Equal(50 + 1, exploration.ImagesChecked);

        // The sample starts with "nothing persisted" and "everything persisted", then varies.
        Assert.All(images[0][0][..160], b => Assert.Equal(0, b));
        Assert.All(images[0][1][..160], b => Assert.Equal(0x5A, b));
        Assert.True(images[0].Select(Convert.ToHexString).Distinct().Count() > 40);
    }

    [Fact]
    public void TheSameSeedChecksTheSameImagesAndAnotherSeedOthers()
    {
        static string[] Sample(int seed) => [.. ImageCollector.Collect(PmemModel.Arm64, WideCopy, Sampling(seed)).ImagesByCrashPoint[0].Select(Convert.ToHexString)];

        Assert.Equal(Sample(7), Sample(7));
        Assert.NotEqual(Sample(7), Sample(8));
    }

    [Fact]
    public void ASampledCounterexampleNamesItsSeed()
    {
        CrashExploration exploration = CrashSimulator.Explore(
            PmemModel.X64,
            WideCopy,
            image => Assert.True(image.Bytes[0] == image.Bytes[159], "The first and last byte of the copy differ."),
            Sampling(seed: 11));

        CrashCounterexample counterexample = Assert.IsType<CrashCounterexample>(exploration.FirstFailure);
        Assert.True(counterexample.IsSampled);
        Assert.Equal(1L << 20, counterexample.PossibleImages);
        Assert.Contains("random sample (seed 11)", counterexample.ToString(), StringComparison.Ordinal);
        Assert.Equal(StoreFate.Torn, Assert.Single(counterexample.UndeterminedStores).Fate);
    }
}
