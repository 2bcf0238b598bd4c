using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Pmem.BlockDevices;
using Pmem.Nbd;
using Pmem.Nbd.Client;

namespace Pmem.WriteCache.Tool;

/// <summary>
/// Opens the devices of a table line for the tool: the origin may also be an NBD URI, a pmem-mode cache is mapped
/// (tmpfs accepted as emulated pmem, and the persistence it gets is said once on stderr), and every origin is
/// wrapped so the metrics can count what reaches it.
/// </summary>
internal sealed class ToolDeviceResolver : WriteCacheDeviceResolver
{
    private static readonly TimeSpan NbdConnectTimeout = TimeSpan.FromSeconds(30);
    private readonly ILogger _logger;
    private readonly Func<IBlockDevice, IBlockDevice> _wrapOrigin;

    /// <param name="logger">Receives what was opened.</param>
    /// <param name="wrapOrigin">Decorates the origin (metrics); identity when null.</param>
    public ToolDeviceResolver(ILogger logger, Func<IBlockDevice, IBlockDevice>? wrapOrigin = null)
    {
        _logger = logger;
        _wrapOrigin = wrapOrigin ?? (device => device);
    }

    /// <summary>What the pmem cache's mapping gives, once a pmem cache has been opened.</summary>
    public string? CachePersistence { get; private set; }

    /// <summary>Whether <paramref name="name"/> names an NBD export rather than a path.</summary>
    public static bool IsNbdUri(string name) => name.StartsWith("nbd:", StringComparison.OrdinalIgnoreCase) || name.StartsWith("nbd+", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    /// <remarks>An NBD URI names storage on the other side of a socket: nothing here to compare.</remarks>
    public override DeviceIdentity? Identify(string name) => IsNbdUri(name) ? null : base.Identify(name);

    /// <inheritdoc />
    public override IBlockDevice OpenOrigin(string name) => _wrapOrigin(OpenPlainOrigin(name, readOnly: false));

    /// <summary>Opens the origin without metrics, for commands that only read it.</summary>
    public static IBlockDevice OpenPlainOrigin(string name, bool readOnly)
    {
        if (!IsNbdUri(name))
        {
            return FileBlockDevice.Open(name, readOnly);
        }

        if (!NbdUri.TryParse(name, out NbdUri? uri, out string? error))
        {
            // ArgumentException: the engine reports it as "Origin data device lookup failed" with this text.
            throw new ArgumentException($"not an NBD URI: {error}");
        }

        try
        {
            using var timeout = new CancellationTokenSource(NbdConnectTimeout);
            // The resolver is synchronous (the kernel's constructor is); connecting happens once, before serving.
            return NbdBlockDevice.ConnectAsync(uri, timeout.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            throw new IOException($"cannot connect to the NBD origin {uri}: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public override PmemCacheMedia OpenPmem(string name)
    {
        PmemCacheMedia media = base.OpenPmem(name);
        PmemRegion region = media.Region!;
        CachePersistence = region switch
        {
            { IsEmulated: true } => "emulated pmem (tmpfs): survives a crash of this process, not a power cut",
            { IsMapSync: true, Granularity: PersistenceGranularity.Byte } => "pmem with MAP_SYNC, byte granularity (eADR)",
            { IsMapSync: true } => "pmem with MAP_SYNC, cache-line granularity",
            _ => "not DAX: page granularity, flushed ranges are msync'ed at every commit",
        };
        if (region.IsEmulated || !region.IsMapSync)
        {
            // Said once, on stderr, so nobody takes DRAM or the page cache for persistent memory by mistake.
            Console.Error.WriteLine($"pmem-writecache: cache '{name}' is {CachePersistence}.");
        }

        _logger.LogInformation("Cache {Cache} mapped: {Persistence}.", name, CachePersistence);
        return media;
    }
}
