// These scenarios build, on purpose, states the analyzer rejects (stores never flushed, flushed before they are made),
// and flush ranges written differently from the stores they cover (pmem.Span[..8] for pmem.AsRef<ulong>(0)), which
// the analyzer cannot relate: what persists is the simulator's to decide here, not the analyzer's.
#pragma warning disable PMEM001 // UnflushedWrite

namespace Pmem.Testing.Tests;

/// <summary>Image counts for tiny scenarios, worked out by hand from the models' rules.</summary>
public sealed class EnumerationTests
{
    [Theory]
    [MemberData(nameof(Models.All), MemberType = typeof(Models))]
    public void OneAssignFlushedAndCommittedIsUndeterminedOnlyBeforeTheCommit(PmemModel model)
    {
        var (exploration, images) = ImageCollector.Collect(model, pmem =>
        {
            SimPersist.PmemAssign(ref pmem.AsRef<ulong>(0), 7UL);
            SimPersist.PmemFlush(pmem.Span[..8]);
            SimPersist.PmemCommit();
        });

        // Before the commit: old (0) or new (7). At the end: only 7.
        Assert.Equal([0UL, 7UL], ImageCollector.ValuesAt(images[0], 0));
        Assert.Equal([7UL], ImageCollector.ValuesAt(images[1], 0));
        Assert.Equal((2, 3L, 2), (exploration.CrashPoints, exploration.ImagesChecked, exploration.ExhaustiveCrashPoints));
    }

    [Fact]
    public void WithoutAFlushArm64NeverSettlesTheStoreButX64Does()
    {
        static void AssignAndCommit(SimulatedPmem pmem)
        {
            SimPersist.PmemAssign(ref pmem.AsRef<ulong>(0), 7UL);
            SimPersist.PmemCommit();
        }

        Assert.Equal(2 + 1, ImageCollector.Collect(PmemModel.X64, AssignAndCommit).Exploration.ImagesChecked);
        Assert.Equal(2 + 2, ImageCollector.Collect(PmemModel.Arm64, AssignAndCommit).Exploration.ImagesChecked);
        Assert.Equal(2 + 1, ImageCollector.Collect(PmemModel.Eadr, AssignAndCommit).Exploration.ImagesChecked);
    }

    [Theory]
    [MemberData(nameof(Models.All), MemberType = typeof(Models))]
    public void ASixteenByteCopyIsTwoIndependentUnits(PmemModel model)
    {
        var (exploration, images) = ImageCollector.Collect(model, pmem =>
        {
            SimPersist.PmemMemcpy(pmem.Span, [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2]);
            SimPersist.PmemFlush(pmem.Span[..16]);
            SimPersist.PmemCommit();
        });

        // 2 × 2 before the commit, all four combinations; 1 after.
        Assert.Equal(4, images[0].Select(Convert.ToHexString).Distinct().Count());
        Assert.Equal(4 + 1, exploration.ImagesChecked);
    }

    [Theory]
    [MemberData(nameof(Models.All), MemberType = typeof(Models))]
    public void AnUnalignedEightByteCopyTouchesTwoUnits(PmemModel model)
    {
        var (exploration, _) = ImageCollector.Collect(model, pmem =>
        {
            SimPersist.PmemMemcpy(pmem.Span[4..], [9, 9, 9, 9, 9, 9, 9, 9]);
            SimPersist.PmemFlush(pmem.Span[4..12]);
            SimPersist.PmemCommit();
        });

        Assert.Equal(4 + 1, exploration.ImagesChecked);
    }

    [Theory]
    [MemberData(nameof(Models.All), MemberType = typeof(Models))]
    public void TwoStoresToOneUnitGiveThreeVersionsNotFour(PmemModel model)
    {
        var (_, images) = ImageCollector.Collect(model, pmem =>
        {
            SimPersist.PmemAssign(ref pmem.AsRef<ulong>(0), 1UL);
            SimPersist.PmemAssign(ref pmem.AsRef<ulong>(0), 2UL);
            SimPersist.PmemFlush(pmem.Span[..8]);
            SimPersist.PmemCommit();
        });

        // Coherence: once 2 has persisted, 1 can never reappear; the unit holds 0, 1 or 2.
        Assert.Equal([0UL, 1UL, 2UL], ImageCollector.ValuesAt(images[0], 0));
        Assert.Equal(3, images[0].Count);
    }

    [Fact]
    public void Arm64FlushCleansTheWholeLineIncludingUnitsTheRangeDidNotName()
    {
        var (exploration, images) = ImageCollector.Collect(PmemModel.Arm64, pmem =>
        {
            SimPersist.PmemAssign(ref pmem.AsRef<ulong>(0), 1UL);
            SimPersist.PmemAssign(ref pmem.AsRef<ulong>(56), 2UL);  // same line
            SimPersist.PmemAssign(ref pmem.AsRef<ulong>(64), 3UL);  // next line, never flushed
            SimPersist.PmemFlush(pmem.Span[..8]);
            SimPersist.PmemCommit();
        });

        // Before the commit: 2 × 2 × 2. After it: the first line is durable, the second still undetermined.
        Assert.Equal(8, images[0].Count);
        Assert.Equal([1UL], ImageCollector.ValuesAt(images[1], 0));
        Assert.Equal([2UL], ImageCollector.ValuesAt(images[1], 56));
        Assert.Equal([0UL, 3UL], ImageCollector.ValuesAt(images[1], 64));
        Assert.Equal(8 + 2, exploration.ImagesChecked);
    }

    [Fact]
    public void Arm64FlushCoversOnlyStoresMadeBeforeIt()
    {
        var (_, images) = ImageCollector.Collect(PmemModel.Arm64, pmem =>
        {
            SimPersist.PmemFlush(pmem.Span[..8]);
            SimPersist.PmemAssign(ref pmem.AsRef<ulong>(0), 1UL);
            SimPersist.PmemCommit();
            SimPersist.PmemAssign(ref pmem.AsRef<ulong>(64), 5UL);  // the next line, so its flush leaves offset 0 alone
            SimPersist.PmemFlush(pmem.Span[64..72]);
            SimPersist.PmemAssign(ref pmem.AsRef<ulong>(64), 6UL);
            SimPersist.PmemCommit();
        });

        // The first store was flushed before it was made: still undetermined at the end.
        Assert.Equal([0UL, 1UL], ImageCollector.ValuesAt(images[2], 0));

        // The flush covered 5 but not 6: after the commit the unit holds 5 or 6, never 0.
        Assert.Equal([5UL, 6UL], ImageCollector.ValuesAt(images[2], 64));
    }

    [Fact]
    public void CrashingAfterEveryStoreAddsACrashPointPerStore()
    {
        var (exploration, images) = ImageCollector.Collect(
            PmemModel.X64,
            pmem =>
            {
                SimPersist.PmemAssign(ref pmem.AsRef<ulong>(0), 1UL);
                SimPersist.PmemAssign(ref pmem.AsRef<ulong>(8), 2UL);
                SimPersist.PmemCommit();
            },
            new CrashSimulationOptions { CrashAfterEveryStore = true });

        // After store 1: 2 images; after store 2: 4; before the commit: 4; at the end: 1.
        Assert.Equal([2, 4, 4, 1], images.Select(point => point.Count));
        Assert.Equal(4, exploration.CrashPoints);
    }

    [Fact]
    public void StoresBeforeSetupCompleteAreDurableAndNotCrashedInto()
    {
        var (exploration, images) = ImageCollector.Collect(PmemModel.Arm64, pmem =>
        {
            SimPersist.PmemAssign(ref pmem.AsRef<ulong>(0), 42UL); // no flush, no commit: set-up counts as durable
            SimPersist.PmemCommit();
            pmem.SetupComplete();
            SimPersist.PmemAssign(ref pmem.AsRef<ulong>(8), 1UL);
            SimPersist.PmemFlush(pmem.Span[8..16]);
            SimPersist.PmemCommit();
        });

        Assert.Equal(2, exploration.CrashPoints);
        Assert.All(images.SelectMany(point => point), image => Assert.Equal(42, image[0]));
        Assert.Equal(2 + 1, exploration.ImagesChecked);
    }

    [Fact]
    public void StoresOutsideTheRegionAreIgnoredAndCounted()
    {
        byte[] dram = new byte[16];
        var (exploration, images) = ImageCollector.Collect(PmemModel.X64, pmem =>
        {
            SimPersist.PmemMemcpy(dram, [1, 2, 3]);
            SimPersist.PmemCommit();
        });

        Assert.Equal((0, 1), (exploration.Stores, exploration.IgnoredStores));
        Assert.All(images.SelectMany(point => point), image => Assert.All(image, b => Assert.Equal(0, b)));
    }

    [Fact]
    public void PlainStoresThatBypassThePrimitivesNeverPersist()
    {
        var (_, images) = ImageCollector.Collect(PmemModel.X64, pmem =>
        {
            pmem.Span[0] = 0xFF;
            SimPersist.PmemAssign(ref pmem.AsRef<byte>(1), (byte)1);
            SimPersist.PmemCommit();
        });

        Assert.All(images.SelectMany(point => point), image => Assert.Equal(0, image[0]));
        Assert.Equal(1, images[^1][0][1]);
    }

    [Fact]
    public void TheCheckMayWriteToTheImageWithoutAffectingTheNextOne()
    {
        var seen = new List<ulong>();
        CrashSimulator.AssertCrashConsistent(
            PmemModel.X64,
            pmem =>
            {
                SimPersist.PmemAssign(ref pmem.AsRef<ulong>(0), 7UL);
                SimPersist.PmemCommit();
            },
            image =>
            {
                seen.Add(image.AsRef<ulong>(0));
                image.Bytes.Fill(0xEE); // what a recovery that rewrites the image would do
            });

        Assert.Equal([0UL, 7UL, 7UL], seen);
    }

    [Fact]
    public void AcknowledgementsAreThoseMadeBeforeTheCrashPoint()
    {
        var acknowledgedAtCrashPoint = new SortedDictionary<int, string>();
        CrashSimulator.AssertCrashConsistent(
            PmemModel.X64,
            pmem =>
            {
                pmem.Acknowledge("before anything");
                SimPersist.PmemCommit();
                pmem.Acknowledge("after the first commit");
                SimPersist.PmemCommit();
            },
            image => acknowledgedAtCrashPoint[image.CrashPoint.Number] = string.Join(" + ", image.Acknowledged));

        Assert.Equal(
            ["before anything", "before anything + after the first commit", "before anything + after the first commit"],
            acknowledgedAtCrashPoint.Values);
    }
}
