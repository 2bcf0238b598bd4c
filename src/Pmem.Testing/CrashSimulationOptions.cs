namespace Pmem.Testing;

/// <summary>How much memory a scenario gets and how thoroughly the crash images are explored.</summary>
public sealed record CrashSimulationOptions
{
    /// <summary>The options used when none are given.</summary>
    public static CrashSimulationOptions Default { get; } = new();

    /// <summary>
    /// Size in bytes of the simulated pmem region (<see cref="SimulatedPmem"/>): a positive multiple of 64, so the
    /// region is whole cache lines. It is allocated 4096-byte aligned. Default 4096.
    /// </summary>
    public int RegionSize { get; init; } = 4096;

    /// <summary>
    /// Seeds the random sample taken at crash points with too many possible images to check them all. The same seed
    /// and scenario always check the same images. Default 1.
    /// </summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// A crash point whose number of possible images is at most this is explored exhaustively; beyond it, a sample of
    /// <see cref="SamplesPerCrashPoint"/> images is checked. Default 4096.
    /// </summary>
    public long ExhaustiveLimit { get; init; } = 4096;

    /// <summary>
    /// How many images are checked at a crash point with more than <see cref="ExhaustiveLimit"/> possible images.
    /// The sample always includes the image where nothing undetermined persisted and the one where everything did.
    /// Default 512.
    /// </summary>
    public int SamplesPerCrashPoint { get; init; } = 512;

    /// <summary>
    /// Also crash after every store, not only before every <c>PmemCommit</c> and at the end of the scenario.
    /// Default <see langword="false"/>.
    /// </summary>
    public bool CrashAfterEveryStore { get; init; }

    /// <summary>
    /// Capture the call stack of every recorded store, flush and fence, so a counterexample names the source lines
    /// (the calling assembly needs its PDB). Costs a few microseconds per event while recording; turn it off for
    /// scenarios with millions of events. Default <see langword="true"/>.
    /// </summary>
    public bool CaptureSourceLocations { get; init; } = true;

    /// <summary>Stop exploring at the first failing image. Default <see langword="false"/> (count every failure).</summary>
    public bool StopAtFirstFailure { get; init; }

    internal void Validate()
    {
        if (RegionSize <= 0 || RegionSize % CacheGeometry.LineSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RegionSize), RegionSize, $"The simulated region must be a positive multiple of {CacheGeometry.LineSize} bytes (whole cache lines).");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ExhaustiveLimit, nameof(ExhaustiveLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(SamplesPerCrashPoint, 2, nameof(SamplesPerCrashPoint));
    }
}
