using System.Diagnostics;
using Pmem.Simulation;

namespace Pmem.Testing.Recording;

/// <summary>One store, flush, fence or annotation of a recorded scenario, in the order the scenario made them.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Offset">Where in the region (stores and flushes).</param>
/// <param name="Length">How many bytes (stores and flushes).</param>
/// <param name="StoreKind">How a store was made.</param>
/// <param name="DataStart">Where a store's bytes start in the recording's data arena.</param>
/// <param name="StoreNumber">The 1-based number of a store among the scenario's stores, as reports show it.</param>
/// <param name="Fact">What an acknowledgement acknowledged.</param>
/// <param name="Trace">The call stack, when source locations are captured.</param>
internal readonly record struct RecordedEvent(
    RecordedEventKind Kind,
    int Offset,
    int Length,
    PmemStoreKind StoreKind,
    int DataStart,
    int StoreNumber,
    object? Fact,
    StackTrace? Trace)
{
    /// <summary>The primitive that produced the event, as the user wrote it.</summary>
    public string Primitive => Kind switch
    {
        RecordedEventKind.Store => StoreKind == PmemStoreKind.Copy ? "PmemMemcpy" : "PmemAssign",
        RecordedEventKind.Flush => "PmemFlush",
        RecordedEventKind.Fence => "PmemCommit",
        RecordedEventKind.Acknowledge => "Acknowledge",
        _ => "SetupComplete",
    };
}
