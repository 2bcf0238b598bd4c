using Pmem;

namespace Pmem.Demo;

/// <summary>The demo's primitives, generated for the build's CPU target.</summary>
[PmemPrimitives]
internal static partial class Persist;
