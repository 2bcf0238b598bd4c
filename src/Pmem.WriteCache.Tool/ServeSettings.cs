using System.Net;

namespace Pmem.WriteCache.Tool;

/// <summary>What <c>pmem-writecache serve</c> was asked to do.</summary>
/// <param name="Table">The table line; null for the no-argument quick start (<see cref="ScratchSetup"/>).</param>
/// <param name="SocketPath">The Unix socket to listen on.</param>
/// <param name="Listen">A loopback TCP address to listen on instead.</param>
/// <param name="ControlSocketPath">Where to answer status and messages; derived from the listen address when null.</param>
/// <param name="ExportName">The NBD export name ("" is the default export).</param>
/// <param name="ReadOnly">Refuse writes.</param>
/// <param name="CreateOriginSize">Create the origin (sparse) with this size if it does not exist.</param>
/// <param name="CreateCacheSize">Create the cache (allocated) with this size if it does not exist.</param>
/// <param name="ScratchDirectory">Where the no-argument quick start keeps its files.</param>
/// <param name="ReceiveSpin">How long a connection polls for its next request before it sleeps; null: the server's default.</param>
internal sealed record ServeSettings(
    WriteCacheTable? Table,
    string? SocketPath,
    IPEndPoint? Listen,
    string? ControlSocketPath,
    string ExportName,
    bool ReadOnly,
    long? CreateOriginSize,
    long? CreateCacheSize,
    string? ScratchDirectory,
    TimeSpan? ReceiveSpin);
