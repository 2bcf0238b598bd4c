namespace Pmem.Testing;

/// <summary>One store that was not yet guaranteed durable at a crash point, and what the failing image kept of it.</summary>
public sealed class StoreOutcome
{
    internal StoreOutcome(int storeNumber, string primitive, int offset, int length, StoreFate fate, SourceLocation? location, string whyNotDurable)
    {
        StoreNumber = storeNumber;
        Primitive = primitive;
        Offset = offset;
        Length = length;
        Fate = fate;
        Location = location;
        WhyNotDurable = whyNotDurable;
    }

    /// <summary>1-based number of the store among the scenario's stores.</summary>
    public int StoreNumber { get; }

    /// <summary><c>PmemMemcpy</c> or <c>PmemAssign</c>.</summary>
    public string Primitive { get; }

    /// <summary>Offset of the store in the region.</summary>
    public int Offset { get; }

    /// <summary>Bytes stored.</summary>
    public int Length { get; }

    /// <summary>Persisted, lost or torn in the failing image.</summary>
    public StoreFate Fate { get; }

    /// <summary>Where the store was made, when source locations are captured.</summary>
    public SourceLocation? Location { get; }

    /// <summary>Which flush or commit had not happened yet, under the model, for the store to be durable.</summary>
    public string WhyNotDurable { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Fate.ToString().ToUpperInvariant(),-9} store #{StoreNumber} {Primitive} {Length} bytes at 0x{Offset:x} ({Location?.ToString() ?? "no source location"}): {WhyNotDurable}";
}
