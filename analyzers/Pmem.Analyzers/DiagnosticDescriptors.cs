using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Pmem.Analyzers
{
    /// <summary>
    /// The diagnostics of <see cref="PmemDurabilityAnalyzer"/>; each id has a page under <c>docs/rules/</c>, linked per
    /// compilation by <see cref="RuleHelpLinks"/> (where the pages are depends on the build, not on the analyzer).
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        public static readonly DiagnosticDescriptor UnflushedWrite = new(
            id: "PMEM001",
            title: "Persistent write is not flushed",
            messageFormat: "This write reaches {0} with no PmemFlush of its destination on some path: correct on x86-64 only (PmemMemcpy bypasses the cache there), it loses data on ARM64, where the written cache lines are never cleaned",
            category: "Pmem.Durability",
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "Portable persistent-memory code must flush every write before the commit that makes it durable. On x86-64 PmemFlush is empty, so the bug passes every test there; on ARM64 the data stays in the CPU cache and a power cut loses it.");

        public static readonly DiagnosticDescriptor UncommittedWrite = new(
            id: "PMEM002",
            title: "Persistent write is not committed",
            messageFormat: "This write reaches the end of '{0}' with no PmemCommit after it on some path: it is not durable when the method returns (mark the method [PmemCallerCommits] if its caller commits)",
            category: "Pmem.Durability",
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A write is durable only after a PmemCommit (sfence on x86-64, dsb on ARM64) that follows its flush. A method that returns normally with a write not yet committed acknowledges data a power cut may lose.");

        public static readonly DiagnosticDescriptor MisalignedAssign = new(
            id: "PMEM003",
            title: "PmemAssign on a misaligned location is not failure-atomic",
            messageFormat: "PmemAssign stores {0} bytes at offset {1}, which is not a multiple of {0}: the store may be split and a power cut may leave it half-written",
            category: "Pmem.Atomicity",
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Only a store aligned to its size is failure-atomic on x86-64 and ARM64. A field at a misaligned FieldOffset, in a Pack-ed struct, or a misaligned constant offset reinterpreted as a wider integer can tear.");

        public static readonly DiagnosticDescriptor PlainStoreToPmem = new(
            id: "PMEM004",
            title: "Plain store into persistent memory",
            messageFormat: "{0} stores into memory of a PmemRegion with a plain store: use PmemMemcpy or PmemAssign, then PmemFlush and PmemCommit",
            category: "Pmem.Durability",
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "Plain stores into mapped persistent memory are neither non-temporal on x86-64 nor tracked by the analyzer's flush and commit checks; an aligned wide store may even be split by the JIT.");

        public static readonly DiagnosticDescriptor PublishBeforeDurable = new(
            id: "PMEM005",
            title: "Publishing before earlier writes are durable",
            messageFormat: "PmemAssign to [PmemPublish] '{0}' while an earlier write may not be flushed and committed: recovery may see the published value without the data it covers",
            category: "Pmem.Ordering",
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A published location (a sequence count, a valid flag, a log tail) must be stored only after everything it covers is flushed and committed; otherwise the CPU may make it durable first.");

        public static readonly DiagnosticDescriptor RedundantPrimitive = new(
            id: "PMEM006",
            title: "Redundant PmemCommit or PmemFlush",
            messageFormat: "{0}",
            category: "Pmem.Performance",
            defaultSeverity: DiagnosticSeverity.Info,
            isEnabledByDefault: true,
            description: "A fence with nothing written or flushed since the previous fence, or a flush of a range already flushed and not written since, costs time (a dsb or sfence stalls the pipeline) and persists nothing.");

        /// <summary>Every rule, in id order.</summary>
        public static readonly ImmutableArray<DiagnosticDescriptor> All = ImmutableArray.Create(
            UnflushedWrite, UncommittedWrite, MisalignedAssign, PlainStoreToPmem, PublishBeforeDurable, RedundantPrimitive);
    }
}
