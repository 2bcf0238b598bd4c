namespace Pmem.Nbd.Tests;

/// <summary>Runs <see cref="LivenessTests"/> on their own.</summary>
[CollectionDefinition(nameof(LivenessTests), DisableParallelization = true)]
public sealed class LivenessTestsCollection
{
}
