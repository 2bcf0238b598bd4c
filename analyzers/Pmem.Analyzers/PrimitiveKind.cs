namespace Pmem.Analyzers
{
    /// <summary>What a call does to persistent memory, as far as the durability dataflow is concerned.</summary>
    internal enum PrimitiveKind
    {
        /// <summary>Nothing the analyzer tracks.</summary>
        None,

        /// <summary><c>PmemMemcpy(destination, source)</c>: a write of <c>destination</c>.</summary>
        Memcpy,

        /// <summary><c>PmemAssign(ref location, value)</c>: a write of <c>location</c>.</summary>
        Assign,

        /// <summary><c>PmemFlush(range)</c>.</summary>
        Flush,

        /// <summary><c>PmemCommit()</c>.</summary>
        Commit,

        /// <summary>A call to a <c>[PmemCallerCommits]</c> method: a write of unknown location this method must commit.</summary>
        CallerCommits,

        /// <summary>A call whose body the analyzer cannot see and that may write, flush or commit (virtual, delegate, deep helper).</summary>
        Opaque,
    }
}
