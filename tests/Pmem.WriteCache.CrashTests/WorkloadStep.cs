namespace Pmem.WriteCache.CrashTests;

/// <summary>One request of a crash scenario's workload.</summary>
internal abstract record WorkloadStep;

/// <summary>Write <paramref name="Count"/> blocks from <paramref name="FirstBlock"/>, each with a new version.</summary>
internal sealed record WriteStep(long FirstBlock, int Count, bool Fua) : WorkloadStep;

/// <summary>A flush request: commits every write before it.</summary>
internal sealed record FlushStep : WorkloadStep;

/// <summary>Discard <paramref name="Count"/> blocks from <paramref name="FirstBlock"/>.</summary>
internal sealed record DiscardStep(long FirstBlock, int Count) : WorkloadStep;

/// <summary>The <c>flush</c> message: commit, write everything back to the origin and wait.</summary>
internal sealed record WritebackStep : WorkloadStep;
