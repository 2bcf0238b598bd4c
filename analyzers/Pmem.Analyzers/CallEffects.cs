using System;

namespace Pmem.Analyzers
{
    /// <summary>The persistent-memory effects a called method may have, summarized over its body and its callees.</summary>
    [Flags]
    internal enum CallEffects
    {
        None = 0,
        MayWrite = 1,
        MayFlush = 2,
        MayCommit = 4,
        All = MayWrite | MayFlush | MayCommit,
    }
}
