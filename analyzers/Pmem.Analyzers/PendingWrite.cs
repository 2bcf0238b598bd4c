using System;
using Microsoft.CodeAnalysis;

namespace Pmem.Analyzers
{
    /// <summary>A write not yet made durable on some path: the call that wrote, what it wrote, and whether it is flushed yet.</summary>
    internal sealed class PendingWrite : IEquatable<PendingWrite>
    {
        public PendingWrite(IOperation write, LocationKey? destination, bool isFlushed, bool isCallerCommits, bool committedBeforeFlush = false)
        {
            Write = write;
            Destination = destination;
            IsFlushed = isFlushed;
            IsCallerCommits = isCallerCommits;
            CommittedBeforeFlush = committedBeforeFlush;
        }

        /// <summary>The <c>PmemMemcpy</c>/<c>PmemAssign</c> call, or the call to a <c>[PmemCallerCommits]</c> method.</summary>
        public IOperation Write { get; }

        public LocationKey? Destination { get; }

        public bool IsFlushed { get; }

        /// <summary>A call to a <c>[PmemCallerCommits]</c> method: its flush is the callee's business, its commit is deferred by design.</summary>
        public bool IsCallerCommits { get; }

        /// <summary>
        /// A <c>PmemCommit</c> ran while this write was not flushed (PMEM001 is reported there). That commit made
        /// nothing durable, so the write stays pending for a later publish until a flush and another commit; it is not
        /// reported again at a later commit or the method's end.
        /// </summary>
        public bool CommittedBeforeFlush { get; }

        public PendingWrite AsFlushed() => IsFlushed ? this : new PendingWrite(Write, Destination, isFlushed: true, IsCallerCommits, CommittedBeforeFlush);

        public PendingWrite AsCommittedBeforeFlush() =>
            CommittedBeforeFlush ? this : new PendingWrite(Write, Destination, IsFlushed, IsCallerCommits, committedBeforeFlush: true);

        public bool Equals(PendingWrite? other) =>
            other is not null && ReferenceEquals(Write, other.Write) && IsFlushed == other.IsFlushed && CommittedBeforeFlush == other.CommittedBeforeFlush;

        public override bool Equals(object? obj) => Equals(obj as PendingWrite);

        public override int GetHashCode() =>
            (System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Write) * 4) + (IsFlushed ? 1 : 0) + (CommittedBeforeFlush ? 2 : 0);
    }
}
