using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Pmem.Analyzers
{
    /// <summary>
    /// What the durability dataflow found in one graph, aggregated over every visit of every program point. Facts
    /// only grow as the fixed point is approached, so anything recorded on the way also holds at the fixed point;
    /// the "redundant" checks record the opposite (seen needed once) and report only what was never needed.
    /// </summary>
    internal sealed class DurabilityFindings
    {
        private readonly Dictionary<IOperation, bool> _commitEverNeeded = new();
        private readonly Dictionary<IOperation, bool> _flushEverNeeded = new();

        /// <summary>Writes that reach a <c>PmemCommit</c> unflushed (PMEM001).</summary>
        public HashSet<IOperation> UnflushedAtCommit { get; } = new();

        /// <summary>Writes that reach the exit unflushed (PMEM001).</summary>
        public HashSet<IOperation> UnflushedAtExit { get; } = new();

        /// <summary>Writes that reach the exit uncommitted (PMEM002).</summary>
        public HashSet<IOperation> UncommittedAtExit { get; } = new();

        /// <summary>Publishing assignments and the writes that may still be pending when they run (PMEM005).</summary>
        public Dictionary<IOperation, HashSet<PendingWrite>> EarlyPublishes { get; } = new();

        public void RecordCommit(IOperation commit, bool needed) => Record(_commitEverNeeded, commit, needed);

        public void RecordFlush(IOperation flush, bool needed) => Record(_flushEverNeeded, flush, needed);

        public void RecordEarlyPublish(IOperation publish, ImmutableArray<PendingWrite> pending)
        {
            if (!EarlyPublishes.TryGetValue(publish, out HashSet<PendingWrite>? earlier))
            {
                earlier = new HashSet<PendingWrite>();
                EarlyPublishes.Add(publish, earlier);
            }

            earlier.UnionWith(pending);
        }

        /// <summary>Commits no write or flush reaches on any path (PMEM006).</summary>
        public IEnumerable<IOperation> RedundantCommits => NeverNeeded(_commitEverNeeded);

        /// <summary>Flushes of ranges already flushed, and not written since, on every path (PMEM006).</summary>
        public IEnumerable<IOperation> RedundantFlushes => NeverNeeded(_flushEverNeeded);

        private static void Record(Dictionary<IOperation, bool> everNeeded, IOperation operation, bool needed) =>
            everNeeded[operation] = needed || (everNeeded.TryGetValue(operation, out bool before) && before);

        private static IEnumerable<IOperation> NeverNeeded(Dictionary<IOperation, bool> everNeeded)
        {
            foreach (KeyValuePair<IOperation, bool> entry in everNeeded)
            {
                if (!entry.Value)
                {
                    yield return entry.Key;
                }
            }
        }
    }
}
