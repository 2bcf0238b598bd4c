using Pmem.BlockDevices;
using Pmem.Nbd.Server;

namespace Pmem.Nbd.Tests;

/// <summary>An NBD server on a Unix socket in a private temp directory, serving in-memory devices.</summary>
internal sealed class TestServerHost : IAsyncDisposable
{
    private TestServerHost(string directory, NbdServer server, CapturingLogger logger, IReadOnlyList<NbdExport> exports)
    {
        Directory = directory;
        Server = server;
        Logger = logger;
        Exports = exports;
    }

    public string Directory { get; }

    public NbdServer Server { get; }

    public CapturingLogger Logger { get; }

    public IReadOnlyList<NbdExport> Exports { get; }

    public string SocketPath => Server.UnixSocketPath!;

    /// <summary>The first export's device.</summary>
    public IBlockDevice Device => Exports[0].Device;

    public MemoryBlockDevice Memory => (MemoryBlockDevice)Exports[0].Device;

    public string Uri(string export = "") => Server.UriFor(export);

    public static TestServerHost Start(long size = 16 << 20, int blockSize = 512, Action<NbdServerOptions>? configure = null)
        => Start(options => options.Exports.Add(new NbdExport("", new MemoryBlockDevice(size, blockSize), description: "test memory")), configure);

    public static TestServerHost Start(Action<NbdServerOptions> addExports, Action<NbdServerOptions>? configure = null)
    {
        string directory = Path.Combine(Path.GetTempPath(), "pmem-nbd-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var options = new NbdServerOptions { UnixSocketPath = Path.Combine(directory, "nbd.sock") };
        addExports(options);
        configure?.Invoke(options);
        var logger = new CapturingLogger();
        return new TestServerHost(directory, NbdServer.Start(options, logger), logger, options.Exports.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Server.StopAsync(timeout.Token);
        foreach (NbdExport export in Exports)
        {
            await export.Device.DisposeAsync();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
