using Pmem;

namespace Pmem.Testing.Tests;

/// <summary>The recording primitives the protocols under test are written with.</summary>
[PmemPrimitives(PmemTarget.Simulated)]
internal static partial class SimPersist;
