using Pmem;

namespace Pmem.Benchmarks;

/// <summary>The primitives under test, generated for x86-64 (the project sets <c>PmemTarget</c>).</summary>
[PmemPrimitives]
internal static partial class Persist;
