using System.Collections.Immutable;

namespace Pmem.Analyzers
{
    /// <summary>
    /// The dataflow state at one program point, joined over every path that reaches it: the writes some path has
    /// not made durable yet (a "may" set), whether some path wrote or flushed since its last commit, and the ranges
    /// every path has flushed with no write since (a "must" set, for the redundant-flush check). Immutable.
    /// </summary>
    internal sealed class DurabilityState
    {
        public DurabilityState(ImmutableHashSet<PendingWrite> pending, bool mayHaveUncommittedWork, ImmutableHashSet<LocationKey> cleanFlushedRanges)
        {
            Pending = pending;
            MayHaveUncommittedWork = mayHaveUncommittedWork;
            CleanFlushedRanges = cleanFlushedRanges;
        }

        /// <summary>
        /// At a method's entry nothing is pending in this method, but the caller may have written or flushed: a first
        /// <c>PmemCommit</c> is never redundant.
        /// </summary>
        public static DurabilityState Entry { get; } = new(ImmutableHashSet<PendingWrite>.Empty, mayHaveUncommittedWork: true, ImmutableHashSet<LocationKey>.Empty);

        public ImmutableHashSet<PendingWrite> Pending { get; }

        public bool MayHaveUncommittedWork { get; }

        public ImmutableHashSet<LocationKey> CleanFlushedRanges { get; }

        /// <summary>Paths merge: union of what may be pending, intersection of what is surely clean.</summary>
        public static DurabilityState? Join(DurabilityState? left, DurabilityState? right)
        {
            if (left is null)
            {
                return right;
            }

            if (right is null)
            {
                return left;
            }

            return new DurabilityState(
                left.Pending.Union(right.Pending),
                left.MayHaveUncommittedWork || right.MayHaveUncommittedWork,
                left.CleanFlushedRanges.Intersect(right.CleanFlushedRanges));
        }

        public bool SameAs(DurabilityState other) =>
            MayHaveUncommittedWork == other.MayHaveUncommittedWork
            && Pending.SetEquals(other.Pending)
            && CleanFlushedRanges.SetEquals(other.CleanFlushedRanges);

        public DurabilityState With(ImmutableHashSet<PendingWrite>? pending = null, bool? mayHaveUncommittedWork = null, ImmutableHashSet<LocationKey>? cleanFlushedRanges = null) =>
            new(pending ?? Pending, mayHaveUncommittedWork ?? MayHaveUncommittedWork, cleanFlushedRanges ?? CleanFlushedRanges);
    }
}
