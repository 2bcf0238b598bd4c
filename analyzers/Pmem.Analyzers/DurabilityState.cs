using System.Collections.Immutable;

namespace Pmem.Analyzers
{
    /// <summary>
    /// The dataflow state at one program point, joined over every path that reaches it: the writes some path has
    /// not made durable yet (a "may" set), whether some path wrote or flushed since its last commit, and the ranges
    /// every path has flushed with no write since (a "must" set, for the redundant-flush check). Immutable.
    /// </summary>
    /// <remarks>
    /// Both sets are small (the writes of one method between two commits), so they are arrays without duplicates,
    /// compared by linear scans: cheaper to build, join and compare than hash sets at every program point.
    /// </remarks>
    internal sealed class DurabilityState
    {
        public DurabilityState(ImmutableArray<PendingWrite> pending, bool mayHaveUncommittedWork, ImmutableArray<LocationKey> cleanFlushedRanges)
        {
            Pending = pending;
            MayHaveUncommittedWork = mayHaveUncommittedWork;
            CleanFlushedRanges = cleanFlushedRanges;
        }

        /// <summary>
        /// At a method's entry nothing is pending in this method, but the caller may have written or flushed: a first
        /// <c>PmemCommit</c> is never redundant.
        /// </summary>
        public static DurabilityState Entry { get; } = new(ImmutableArray<PendingWrite>.Empty, mayHaveUncommittedWork: true, ImmutableArray<LocationKey>.Empty);

        /// <summary>The writes some path has not made durable yet, without duplicates.</summary>
        public ImmutableArray<PendingWrite> Pending { get; }

        public bool MayHaveUncommittedWork { get; }

        /// <summary>The ranges every path has flushed with nothing written since, without duplicates.</summary>
        public ImmutableArray<LocationKey> CleanFlushedRanges { get; }

        /// <summary>Paths merge: union of what may be pending, intersection of what is surely clean.</summary>
        public static DurabilityState? Join(DurabilityState? left, DurabilityState? right)
        {
            if (left is null || ReferenceEquals(left, right))
            {
                return right;
            }

            if (right is null)
            {
                return left;
            }

            ImmutableArray<PendingWrite> pending = Union(left.Pending, right.Pending);
            ImmutableArray<LocationKey> clean = Intersect(left.CleanFlushedRanges, right.CleanFlushedRanges);
            bool may = left.MayHaveUncommittedWork || right.MayHaveUncommittedWork;
            if (may == left.MayHaveUncommittedWork && pending == left.Pending && clean == left.CleanFlushedRanges)
            {
                return left;
            }

            return new DurabilityState(pending, may, clean);
        }

        /// <summary>Whether both states are the same (equal sets, compared as sets).</summary>
        public static bool SameAs(DurabilityState? left, DurabilityState? right)
        {
            if (ReferenceEquals(left, right))
            {
                return true;
            }

            return left is not null && right is not null
                && left.MayHaveUncommittedWork == right.MayHaveUncommittedWork
                && SetEquals(left.Pending, right.Pending)
                && SetEquals(left.CleanFlushedRanges, right.CleanFlushedRanges);
        }

        public DurabilityState With(ImmutableArray<PendingWrite>? pending = null, bool? mayHaveUncommittedWork = null, ImmutableArray<LocationKey>? cleanFlushedRanges = null) =>
            new(pending ?? Pending, mayHaveUncommittedWork ?? MayHaveUncommittedWork, cleanFlushedRanges ?? CleanFlushedRanges);

        /// <summary><paramref name="left"/> plus the elements of <paramref name="right"/> it lacks; <paramref name="left"/> itself when it lacks none.</summary>
        private static ImmutableArray<T> Union<T>(ImmutableArray<T> left, ImmutableArray<T> right)
            where T : class, System.IEquatable<T>
        {
            ImmutableArray<T>.Builder? builder = null;
            foreach (T item in right)
            {
                if (!left.Contains(item))
                {
                    builder ??= left.ToBuilder();
                    builder.Add(item);
                }
            }

            return builder is null ? left : builder.ToImmutable();
        }

        /// <summary>The elements of <paramref name="left"/> also in <paramref name="right"/>; <paramref name="left"/> itself when that is all of them.</summary>
        private static ImmutableArray<T> Intersect<T>(ImmutableArray<T> left, ImmutableArray<T> right)
            where T : class, System.IEquatable<T>
        {
            ImmutableArray<T>.Builder? builder = null;
            for (int i = 0; i < left.Length; i++)
            {
                bool keep = right.Contains(left[i]);
                if (!keep && builder is null)
                {
                    builder = ImmutableArray.CreateBuilder<T>(left.Length);
                    for (int j = 0; j < i; j++)
                    {
                        builder.Add(left[j]);
                    }
                }
                else if (keep && builder is not null)
                {
                    builder.Add(left[i]);
                }
            }

            return builder is null ? left : builder.ToImmutable();
        }

        private static bool SetEquals<T>(ImmutableArray<T> left, ImmutableArray<T> right)
            where T : class, System.IEquatable<T>
        {
            if (left == right)
            {
                return true;
            }

            if (left.Length != right.Length)
            {
                return false;
            }

            foreach (T item in left)
            {
                if (!right.Contains(item))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
