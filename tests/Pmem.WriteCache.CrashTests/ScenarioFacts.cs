namespace Pmem.WriteCache.CrashTests;

// What a scenario tells the simulator (SimulatedPmem.Acknowledge) as it runs. The check folds the facts acknowledged
// before a crash point into what each block may hold after it (ExpectedContents). The scenarios run one request at
// a time, so "issued" facts are in request order and a flush covers every request before it.

/// <summary>A write is about to be handed to the cache: from now on its blocks may hold <paramref name="Version"/>.</summary>
internal sealed record WriteIssued(long FirstBlock, int Count, int Version, bool Fua);

/// <summary>A FUA write returned: its blocks must hold <paramref name="Version"/> or something issued later.</summary>
internal sealed record FuaCompleted(long FirstBlock, int Count, int Version);

/// <summary>A discard is about to be handed to the cache: its blocks may read as zeroes or any older contents.</summary>
internal sealed record DiscardIssued(long FirstBlock, int Count);

/// <summary>A flush (or the <c>flush</c> message, which commits first) returned: every earlier write is durable.</summary>
internal sealed record FlushCompleted(int Number);
