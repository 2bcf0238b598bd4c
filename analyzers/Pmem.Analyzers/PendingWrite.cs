using System;
using Microsoft.CodeAnalysis;

namespace Pmem.Analyzers
{
    /// <summary>A write not yet made durable on some path: the call that wrote, what it wrote, and whether it is flushed yet.</summary>
    internal sealed class PendingWrite : IEquatable<PendingWrite>
    {
        public PendingWrite(IOperation write, LocationKey? destination, bool isFlushed, bool isCallerCommits)
        {
            Write = write;
            Destination = destination;
            IsFlushed = isFlushed;
            IsCallerCommits = isCallerCommits;
        }

        /// <summary>The <c>PmemMemcpy</c>/<c>PmemAssign</c> call, or the call to a <c>[PmemCallerCommits]</c> method.</summary>
        public IOperation Write { get; }

        public LocationKey? Destination { get; }

        public bool IsFlushed { get; }

        /// <summary>A call to a <c>[PmemCallerCommits]</c> method: its flush is the callee's business, its commit is deferred by design.</summary>
        public bool IsCallerCommits { get; }

        public PendingWrite AsFlushed() => IsFlushed ? this : new PendingWrite(Write, Destination, isFlushed: true, IsCallerCommits);

        public bool Equals(PendingWrite? other) => other is not null && ReferenceEquals(Write, other.Write) && IsFlushed == other.IsFlushed;

        public override bool Equals(object? obj) => Equals(obj as PendingWrite);

        public override int GetHashCode() => (System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Write) * 2) + (IsFlushed ? 1 : 0);
    }
}
