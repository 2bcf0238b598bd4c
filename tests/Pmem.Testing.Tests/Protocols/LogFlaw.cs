namespace Pmem.Testing.Tests.Protocols;

/// <summary>The mistakes <see cref="AppendOnlyLog"/> can be built with, each a classic way to lose acknowledged data.</summary>
internal enum LogFlaw
{
    /// <summary>Data, flush, commit; then the length, flush, commit.</summary>
    None,

    /// <summary>No <c>PmemFlush</c> anywhere: correct on x86-64, where it is empty, and wrong on ARM64.</summary>
    NoFlush,

    /// <summary>The commit after publishing the length is missing: the append is acknowledged before it is durable.</summary>
    NoFinalCommit,

    /// <summary>The length is published before the entry is committed, so it can persist first.</summary>
    PublishBeforeCommit,
}
