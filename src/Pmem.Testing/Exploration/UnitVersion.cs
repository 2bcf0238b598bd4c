namespace Pmem.Testing.Exploration;

/// <summary>The contents of an 8-byte unit after one store to it.</summary>
/// <param name="Value">All 8 bytes of the unit after the store (the bytes it did not write keep their previous version).</param>
/// <param name="StoreEvent">The index of the store event in the recording.</param>
internal readonly record struct UnitVersion(ulong Value, int StoreEvent);
