namespace Pmem.Testing.Exploration;

/// <summary>
/// The versions of one 8-byte unit that are not yet guaranteed persistent, oldest first. The guaranteed version
/// itself lives in <see cref="PersistenceState.Floor"/>.
/// </summary>
/// <remarks>
/// Stores to one location reach memory in program order (cache coherence), so after a crash the unit holds the
/// guaranteed version or one of these, and a later one only ever replaces an earlier one: the unit's possible
/// contents are "the first k pending versions persisted", k from 0 to <see cref="Pending"/>.Count.
/// </remarks>
internal sealed class UnitTimeline
{
    public List<UnitVersion> Pending { get; } = [];

    /// <summary>ARM64: how many of <see cref="Pending"/> a flush since the last fence covered (they persist at the next fence).</summary>
    public int FlushedCount { get; set; }

    /// <summary>ARM64: the flush event that covered them, for reports.</summary>
    public int FlushEvent { get; set; } = -1;

    /// <summary>Whether the unit is in <see cref="PersistenceState.PendingUnits"/>.</summary>
    public bool IsListedPending { get; set; }

    /// <summary>Whether the unit is in the list of units flushed since the last fence.</summary>
    public bool IsListedFlushed { get; set; }
}
