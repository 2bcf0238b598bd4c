using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Pmem.BlockDevices;
using Pmem.Nbd.Server;

namespace Pmem.WriteCache.Tool;

/// <summary>
/// Runs <c>serve</c>: opens the cache of the table line, serves it over NBD, answers the control socket, and on
/// SIGINT/SIGTERM stops accepting, lets requests in flight finish, commits (writing everything back if
/// <c>flush_on_suspend</c> was sent) and exits 0.
/// </summary>
internal static class ServeHost
{
    public static async Task<int> RunAsync(ServeSettings settings)
    {
        using var stopRequested = new CancellationTokenSource();
        using ILoggerFactory logging = ToolLogging.Create();
        ILogger logger = logging.CreateLogger("pmem-writecache");
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // we exit ourselves, after committing
            logger.LogInformation("{Signal} received: stopping.", context.Signal);
            stopRequested.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        if (settings.Table is null)
        {
            settings = ScratchSetup.Apply(settings);
        }

        WriteCacheTable table = settings.Table!;
        var created = new List<string>();
        using var metrics = new WriteCacheMetrics();
        var resolver = new ToolDeviceResolver(logger, origin => new ObservedBlockDevice(origin, metrics.RecordOriginRequest));
        WriteCacheDevice cache;
        try
        {
            CreateRequestedFiles(settings, table, created, logger);
            cache = await WriteCacheDevice.OpenAsync(table.ToString(), resolver);
        }
        catch
        {
            // Refused input leaves nothing behind: files this run created go again.
            created.ForEach(File.Delete);
            throw;
        }

        await using (cache)
        {
            metrics.Attach(cache);
            logger.LogInformation("Opened writecache {Table}: {Blocks} blocks, status {Status}.", cache.Table, cache.BlockCount, cache.GetStatus());
            var options = new NbdServerOptions
            {
                UnixSocketPath = settings.Listen is null ? settings.SocketPath : null,
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
                string controlPath = settings.ControlSocketPath
                    ?? (server.UnixSocketPath is { } socket ? ControlProtocol.PathForSocket(socket) : ControlProtocol.PathForTcp(settings.Listen!));
                await using ControlServer control = ControlServer.Start(controlPath, cache, logger);
                ConnectionHints.Print(Console.Out, cache, server, settings, controlPath, resolver.CachePersistence);
                await WaitAsync(stopRequested.Token);
                logger.LogInformation("Stopping: no new connections; finishing requests in flight.");
            }
            finally
            {
                await server.StopAsync();
            }

            logger.LogInformation("Stopped cleanly; final status {Status}.", cache.GetStatus());
        }

        return ToolExitCode.Success;
    }

    private static void CreateRequestedFiles(ServeSettings settings, WriteCacheTable table, List<string> created, ILogger logger)
    {
        if (settings.CreateOriginSize is { } originSize && !ToolDeviceResolver.IsNbdUri(table.Origin) && DeviceFiles.CreateIfMissing(table.Origin, originSize, allocate: false))
        {
            created.Add(table.Origin);
            logger.LogInformation("Created origin {Origin} ({Size}, sparse).", table.Origin, ByteSize.Format(originSize));
        }

        if (settings.CreateCacheSize is { } cacheSize && DeviceFiles.CreateIfMissing(table.Cache, cacheSize, allocate: true))
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
