using Pmem.Testing.Tests.Protocols;

namespace Pmem.Testing.Tests;

/// <summary>A 16-byte update is two independent 8-byte units: the simulator tears it, and accepts the shadow-slot fix.</summary>
public sealed class TornUpdateTests
{
    private const ulong Updates = 3;

    [Theory]
    [MemberData(nameof(Models.All), MemberType = typeof(Models))]
    public void SixteenByteCopyIsTornByACrash(PmemModel model)
    {
        CrashExploration exploration = CrashSimulator.Explore(
            model,
            scenario: pmem => UpdateAndAcknowledge(pmem, VersionedRecord.UpdateInPlace),
            check: image => CheckVersion(image, VersionedRecord.ReadInPlace(image.Bytes)));

        CrashCounterexample counterexample = Assert.IsType<CrashCounterexample>(exploration.FirstFailure);
        StoreOutcome torn = Assert.Single(counterexample.TornStores);
        Assert.Equal(("PmemMemcpy", 0, VersionedRecord.Size), (torn.Primitive, torn.Offset, torn.Length));
        Assert.IsType<InvalidDataException>(counterexample.Failure);
        Assert.Contains("TORN", counterexample.ToString(), StringComparison.Ordinal);

        // Each update has 4 images before its commit, 2 of them torn (new version with old value, and the reverse).
        Assert.Equal((long)(2 * Updates), exploration.Failures);
    }

    [Theory]
    [MemberData(nameof(Models.All), MemberType = typeof(Models))]
    public void ShadowSlotAndAtomicSelectorNeverTear(PmemModel model) =>
        CrashSimulator.AssertCrashConsistent(
            model,
            scenario: pmem => UpdateAndAcknowledge(pmem, VersionedRecord.UpdateShadowed),
            check: image => CheckVersion(image, VersionedRecord.ReadShadowed(image.Bytes)));

    private static void UpdateAndAcknowledge(SimulatedPmem pmem, SpanAction update)
    {
        for (ulong version = 1; version <= Updates; version++)
        {
            update(pmem.Span, version);
            pmem.Acknowledge(version);
        }
    }

    private static void CheckVersion(CrashImage image, ulong recovered)
    {
        ulong acknowledged = image.Acknowledged.Count == 0 ? 0 : (ulong)image.Acknowledged[^1];
        Assert.InRange(recovered, acknowledged, acknowledged + 1);
    }

    private delegate void SpanAction(Span<byte> pmem, ulong version);
}
