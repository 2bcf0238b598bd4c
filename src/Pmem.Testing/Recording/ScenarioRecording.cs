namespace Pmem.Testing.Recording;

/// <summary>Everything a scenario did to the simulated region, ready to be replayed under a persistence model.</summary>
/// <param name="Initial">The region's contents before the scenario started.</param>
/// <param name="Events">The events in program order (the order the recorder received them).</param>
/// <param name="Data">The arena holding the bytes of every store.</param>
/// <param name="IgnoredStores">Stores the scenario made outside the simulated region.</param>
internal sealed record ScenarioRecording(byte[] Initial, IReadOnlyList<RecordedEvent> Events, byte[] Data, int IgnoredStores)
{
    /// <summary>The bytes a store event wrote.</summary>
    public ReadOnlySpan<byte> DataOf(in RecordedEvent store) => Data.AsSpan(store.DataStart, store.Length);

    public int Count(RecordedEventKind kind) => Events.Count(e => e.Kind == kind);
}
