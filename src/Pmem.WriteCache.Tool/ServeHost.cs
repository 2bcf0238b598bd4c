using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Pmem.BlockDevices;
using Pmem.Nbd;
using Pmem.Nbd.Server;

namespace Pmem.WriteCache.Tool;

/// <summary>
/// Runs <c>serve</c>: opens the cache of the table line, serves it over NBD, answers the control socket, and on
/// SIGINT/SIGTERM stops accepting, lets requests in flight finish, commits (writing everything back if
/// <c>flush_on_suspend</c> was sent) and exits 0. A second SIGINT/SIGTERM exits at once.
/// </summary>
internal static class ServeHost
{
    public static async Task<int> RunAsync(ServeSettings settings)
    {
        using var stopRequested = new CancellationTokenSource();
        using ILoggerFactory logging = ToolLogging.Create();
        ILogger logger = logging.CreateLogger("pmem-writecache");
        int signals = 0;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // we exit ourselves, after committing
            if (Interlocked.Increment(ref signals) == 1)
            {
                logger.LogInformation("{Signal} received: stopping; a second SIGINT or SIGTERM exits at once.", context.Signal);
                stopRequested.Cancel();
                return;
            }

            // The clean stop waits for requests in flight and the final commit; a user who cannot wait gets what
            // SIGKILL gives: every write a flush acknowledged is on the cache and recovered at the next start.
            Console.Error.WriteLine($"pmem-writecache: second {context.Signal}: exiting now without finishing the shutdown; "
                + "writes a flush acknowledged are on the cache, the rest is recovered as after a crash.");
            Console.Error.Flush();
            Environment.Exit(ToolExitCode.ForcedStop);
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        if (settings.Table is null)
        {
            settings = ScratchSetup.Apply(settings);
        }

        var created = new List<string>();
        bool serving = false;
        try
        {
            return await ServeAsync(settings, created, logging, logger, () => serving = true, stopRequested.Token);
        }
        catch when (!serving)
        {
            // Refused before serving: files this run created go again.
            created.ForEach(File.Delete);
            throw;
        }
    }

    private static async Task<int> ServeAsync(ServeSettings settings, List<string> created, ILoggerFactory logging, ILogger logger, Action onServing, CancellationToken stop)
    {
        WriteCacheTable table = settings.Table!;
        CreateRequestedFiles(settings, table, created, logger);
        await DeviceGuard.CheckAsync(table);
        string? socketPath = settings.Listen is null ? Path.GetFullPath(settings.SocketPath ?? PrivatePaths.DefaultNbdSocketPath()) : null;
        if (socketPath is not null)
        {
            if (settings.SocketPath is null)
            {
                PrivatePaths.EnsureRuntimeDirectory();
            }

            SocketPaths.VerifyBindable(socketPath, "NBD socket");
        }

        // Checked before the cache is opened (opening formats or recovers it); a TCP server's is named once bound.
        string? knownControlPath = settings.ControlSocketPath ?? (socketPath is null ? null : ControlProtocol.PathForSocket(socketPath));
        if (knownControlPath is not null)
        {
            SocketPaths.VerifyBindable(knownControlPath, "control socket");
        }

        using var metrics = new WriteCacheMetrics();
        var resolver = new ToolDeviceResolver(logger, origin => new ObservedBlockDevice(origin, metrics.RecordOriginRequest));
        await using WriteCacheDevice cache = await WriteCacheDevice.OpenAsync(table.ToString(), resolver);
        metrics.Attach(cache);
        logger.LogInformation("Opened writecache {Table}: {Blocks} blocks, status {Status}.", cache.Table, cache.BlockCount, cache.GetStatus());
        if (cache.BlockCount < cache.AreaBlockCount)
        {
            // What a cache device grown after its format looks like: the kernel uses the formatted blocks only, as we do.
            logger.LogWarning("The cache's n_blocks {Blocks} is less than the {AreaBlocks} blocks the device holds (grown after it was formatted?); only {Blocks} are used.",
                cache.BlockCount, cache.AreaBlockCount, cache.BlockCount);
        }

        var options = new NbdServerOptions
        {
            UnixSocketPath = socketPath,
            TcpEndPoint = settings.Listen,
            ReceiveSpin = settings.ReceiveSpin ?? NbdServerOptions.DefaultReceiveSpin,
            // Runs once every request in flight has replied, before the sockets close: commit, and write back
            // everything if flush_on_suspend was sent, as dm-writecache does at suspend.
            OnDrained = async _ => await cache.SuspendAsync(),
        };
        options.Exports.Add(new NbdExport(settings.ExportName, new ObservedBlockDevice(cache, metrics.RecordRequest), settings.ReadOnly, $"pmem-writecache {cache.Table}"));
        NbdServer server = NbdServer.Start(options, logging.CreateLogger("Pmem.Nbd"));
        try
        {
            // Named after the address bound: with port 0 the port the system chose, so no other listener's name is taken.
            string controlPath = settings.ControlSocketPath
                ?? (server.UnixSocketPath is { } socket ? ControlProtocol.PathForSocket(socket) : ControlProtocol.PathForTcp((IPEndPoint)server.LocalEndPoint));
            await using ControlServer control = ControlServer.Start(controlPath, cache, logger);
            ConnectionHints.Print(Console.Out, cache, server, settings, control.Path, resolver.CachePersistence);
            onServing();
            await WaitAsync(stop);
            logger.LogInformation("Stopping: no new connections; finishing requests in flight.");
        }
        finally
        {
            await server.StopAsync(CancellationToken.None);
        }

        logger.LogInformation("Stopped cleanly; final status {Status}.", cache.GetStatus());
        return ToolExitCode.Success;
    }

    private static void CreateRequestedFiles(ServeSettings settings, WriteCacheTable table, List<string> created, ILogger logger)
    {
        if (settings.CreateOriginSize is { } originSize && !ToolDeviceResolver.IsNbdUri(table.Origin) && DeviceFiles.CreateIfMissing(table.Origin, originSize, allocate: false, "origin"))
        {
            created.Add(table.Origin);
            logger.LogInformation("Created origin {Origin} ({Size}, sparse).", table.Origin, ByteSize.Format(originSize));
        }

        if (settings.CreateCacheSize is { } cacheSize && DeviceFiles.CreateIfMissing(table.Cache, cacheSize, allocate: true, "cache"))
        {
            created.Add(table.Cache);
            logger.LogInformation("Created cache {Cache} ({Size}).", table.Cache, ByteSize.Format(cacheSize));
        }
    }

    private static async Task WaitAsync(CancellationToken stop)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException)
        {
            // The signal: time to stop.
        }
    }
}
