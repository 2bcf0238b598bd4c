namespace Pmem.Testing;

/// <summary>What exploring a scenario's crash images found.</summary>
public sealed class CrashExploration
{
    internal CrashExploration(PmemModel model, int seed)
    {
        Model = model;
        Seed = seed;
    }

    /// <summary>The persistence model explored.</summary>
    public PmemModel Model { get; }

    /// <summary>The seed of the random samples.</summary>
    public int Seed { get; }

    /// <summary>Stores the scenario made into the simulated region.</summary>
    public int Stores { get; internal set; }

    /// <summary>Flushes of the simulated region.</summary>
    public int Flushes { get; internal set; }

    /// <summary>Commits (fences).</summary>
    public int Fences { get; internal set; }

    /// <summary>Stores outside the simulated region, which are not simulated.</summary>
    public int IgnoredStores { get; internal set; }

    /// <summary>Crash points explored.</summary>
    public int CrashPoints { get; internal set; }

    /// <summary>Crash points whose images were all checked.</summary>
    public int ExhaustiveCrashPoints { get; internal set; }

    /// <summary>Crash points with too many images, of which a sample was checked.</summary>
    public int SampledCrashPoints { get; internal set; }

    /// <summary>Images handed to the check.</summary>
    public long ImagesChecked { get; internal set; }

    /// <summary>Images the check rejected.</summary>
    public long Failures { get; internal set; }

    /// <summary>The first image the check rejected, or <see langword="null"/>.</summary>
    public CrashCounterexample? FirstFailure { get; internal set; }

    /// <summary>Time spent checking images (not recording the scenario).</summary>
    public TimeSpan Elapsed { get; internal set; }

    /// <summary>Whether every image passed.</summary>
    public bool Passed => Failures == 0;

    /// <summary>Throws <see cref="CrashConsistencyException"/> with the first counterexample if any image failed.</summary>
    /// <exception cref="CrashConsistencyException">Some image failed the check.</exception>
    public void ThrowIfFailed()
    {
        if (FirstFailure is not null)
        {
            throw new CrashConsistencyException(FirstFailure, Failures);
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Model}: {ImagesChecked} images at {CrashPoints} crash points ({ExhaustiveCrashPoints} exhaustive, {SampledCrashPoints} sampled, seed {Seed}), "
        + $"{Failures} failing; {Stores} stores, {Flushes} flushes, {Fences} fences"
        + (IgnoredStores > 0 ? $", {IgnoredStores} stores outside the region ignored" : string.Empty);
}
