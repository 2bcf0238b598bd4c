using System.Text.RegularExpressions;
using Pmem.Testing.Tests.Protocols;

namespace Pmem.Testing.Tests;

/// <summary>The simulator's demonstrations: an append-only log, correct and with each classic mistake.</summary>
public sealed partial class AppendOnlyLogTests
{
    [Theory]
    [MemberData(nameof(Models.All), MemberType = typeof(Models))]
    public void CorrectLogSurvivesEveryCrashUnderEveryModel(PmemModel model)
    {
        CrashExploration exploration = CrashSimulator.AssertCrashConsistent(
            model,
            scenario: pmem => LogScenario.Run(pmem, LogFlaw.None),
            check: LogScenario.Check);

        // Two commits per append, plus the end; every crash point is small enough to check exhaustively.
        Assert.Equal((2 * LogScenario.Entries) + 1, exploration.CrashPoints);
        Assert.Equal(exploration.CrashPoints, exploration.ExhaustiveCrashPoints);
        Assert.True(exploration.ImagesChecked > exploration.CrashPoints, exploration.ToString());
    }

    [Theory]
    [InlineData(PmemModel.X64)]
    [InlineData(PmemModel.Eadr)]
    public void LogWithoutFlushSurvivesWhereFlushIsEmpty(PmemModel model) =>
        CrashSimulator.AssertCrashConsistent(model, pmem => LogScenario.Run(pmem, LogFlaw.NoFlush), LogScenario.Check);

    [Fact]
    public void LogWithoutFlushLosesDataOnArm64AndTheCounterexampleNamesTheLostStore()
    {
        CrashConsistencyException failure = Assert.Throws<CrashConsistencyException>(() =>
            CrashSimulator.AssertCrashConsistent(PmemModel.Arm64, pmem => LogScenario.Run(pmem, LogFlaw.NoFlush), LogScenario.Check));

        CrashCounterexample counterexample = failure.Counterexample;
        StoreOutcome lost = Assert.Single(counterexample.LostStores, store => store.Primitive == "PmemMemcpy");
        Assert.Equal(AppendOnlyLog.EntrySize, lost.Length);
        Assert.Contains("missing PmemFlush", lost.WhyNotDurable, StringComparison.Ordinal);
        Assert.Matches(SourceLineOfAppend(), lost.Location?.ToString() ?? string.Empty);
        Assert.Contains(counterexample.UndeterminedStores, store => store.Primitive == "PmemAssign" && store.Fate == StoreFate.Persisted);
        Assert.Contains($"LOST      store #{lost.StoreNumber} PmemMemcpy 24 bytes", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Models.All), MemberType = typeof(Models))]
    public void LogWithoutFinalCommitLosesAnAcknowledgedEntry(PmemModel model)
    {
        CrashExploration exploration = CrashSimulator.Explore(model, pmem => LogScenario.Run(pmem, LogFlaw.NoFinalCommit), LogScenario.Check);

        // The first append is acknowledged while its count is still in flight; the next commit comes only with the
        // next append, so the first failure is the crash just before it.
        CrashCounterexample counterexample = Assert.IsType<CrashCounterexample>(exploration.FirstFailure);
        Assert.Equal(CrashPointKind.BeforeCommit, counterexample.CrashPoint.Kind);
        Assert.Equal(["entry 0"], counterexample.Acknowledged);
        StoreOutcome lostCount = Assert.Single(counterexample.LostStores, store => store.Primitive == "PmemAssign");
        Assert.Equal(0, lostCount.Offset);
        Assert.Contains("Recovery found 0 entries but 1 were acknowledged", counterexample.Failure.Message, StringComparison.Ordinal);
        Assert.True(exploration.Failures >= LogScenario.Entries, exploration.ToString());
    }

    [Theory]
    [MemberData(nameof(Models.All), MemberType = typeof(Models))]
    public void PublishingTheCountBeforeTheEntryIsCommittedRecoversGarbage(PmemModel model)
    {
        CrashExploration exploration = CrashSimulator.Explore(model, pmem => LogScenario.Run(pmem, LogFlaw.PublishBeforeCommit), LogScenario.Check);

        CrashCounterexample counterexample = Assert.IsType<CrashCounterexample>(exploration.FirstFailure);
        Assert.Equal(CrashPointKind.BeforeCommit, counterexample.CrashPoint.Kind);
        Assert.Contains(counterexample.UndeterminedStores, store => store.Primitive == "PmemAssign" && store.Fate == StoreFate.Persisted);
        Assert.Contains(counterexample.UndeterminedStores, store => store.Primitive == "PmemMemcpy" && store.Fate != StoreFate.Persisted);
        Assert.Contains("is not what was appended", counterexample.Failure.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^AppendOnlyLog\.cs:\d+ in AppendOnlyLog\.Append$")]
    private static partial Regex SourceLineOfAppend();
}
