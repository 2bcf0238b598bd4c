namespace Pmem.Testing;

/// <summary>One point of the scenario at which a power failure is simulated.</summary>
public sealed class CrashPoint
{
    internal CrashPoint(int number, CrashPointKind kind, int eventIndex, int storeNumber, SourceLocation? location)
    {
        Number = number;
        Kind = kind;
        EventIndex = eventIndex;
        StoreNumber = storeNumber;
        Location = location;
    }

    /// <summary>1-based, in scenario order.</summary>
    public int Number { get; }

    /// <summary>Before a commit, after a store, or at the end.</summary>
    public CrashPointKind Kind { get; }

    /// <summary>The index of the commit or store among all recorded events (the event count at the end).</summary>
    public int EventIndex { get; }

    /// <summary>For <see cref="CrashPointKind.AfterStore"/>: the store's number.</summary>
    public int StoreNumber { get; }

    /// <summary>The commit or store the crash point is next to, when source locations are captured.</summary>
    public SourceLocation? Location { get; }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        CrashPointKind.BeforeCommit => $"crash point {Number}: just before the PmemCommit at {Where}",
        CrashPointKind.AfterStore => $"crash point {Number}: just after store #{StoreNumber} at {Where}",
        _ => $"crash point {Number}: at the end of the scenario (after event {EventIndex})",
    };

    private string Where => Location?.ToString() ?? $"event {EventIndex}";
}
