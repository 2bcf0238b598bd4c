namespace Pmem.WriteCache.Benchmarks;

/// <summary>The same primitives the engine uses, for the bare-primitives baseline.</summary>
[PmemPrimitives]
internal static partial class Persist;
