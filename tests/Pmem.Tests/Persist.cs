using Pmem;

namespace Pmem.Tests;

/// <summary>The primitives for the build's target: auto on a plain build, arm64 when published for linux-arm64.</summary>
[PmemPrimitives]
internal static partial class Persist;

/// <summary>The recording primitives, to check what the simulated target reports.</summary>
[PmemPrimitives(PmemTarget.Simulated)]
internal static partial class SimulatedPersist;
