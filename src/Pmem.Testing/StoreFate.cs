namespace Pmem.Testing;

/// <summary>What a crash image kept of a store that was not yet guaranteed durable.</summary>
public enum StoreFate
{
    /// <summary>Every 8-byte unit of the store reached the media (or was overwritten there by a later store).</summary>
    Persisted,

    /// <summary>No unit of the store reached the media.</summary>
    Lost,

    /// <summary>Some of its 8-byte units reached the media and some did not: the store is torn.</summary>
    Torn,
}
