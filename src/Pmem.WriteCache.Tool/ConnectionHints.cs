using Pmem.Nbd.Server;

namespace Pmem.WriteCache.Tool;

/// <summary>What <c>serve</c> prints on stdout once it listens: what is served and how to attach the usual NBD clients.</summary>
internal static class ConnectionHints
{
    public static void Print(TextWriter output, WriteCacheDevice cache, NbdServer server, ServeSettings settings, string controlSocket, string? cachePersistence)
    {
        WriteCacheTable table = cache.Table;
        string uri = server.UriFor(settings.ExportName);
        output.WriteLine($"pmem-writecache: serving writecache {table}");
        output.WriteLine($"  origin  {table.Origin} ({ByteSize.Format(cache.Length)})");
        output.WriteLine($"  cache   {table.Cache} ({cache.BlockCount} blocks of {cache.LogicalBlockSize} bytes{(cachePersistence is null ? string.Empty : "; " + cachePersistence)})");
        output.WriteLine($"  export  {uri}{(settings.ReadOnly ? " (read-only)" : string.Empty)}");
        output.WriteLine("Connect with:");
        output.WriteLine($"  nbdinfo '{uri}'");
        output.WriteLine($"  qemu-img info '{uri}'");
        output.WriteLine($"  qemu-img convert -p -O raw disk.img '{uri}'      (copy an image in)");
        output.WriteLine($"  {KernelClient(server, settings.ExportName)}      (kernel block device; as root, after 'modprobe nbd')");
        string control = settings.ControlSocketPath is null && server.UnixSocketPath is { } socket
            ? $"--socket {socket}"
            : $"--control-socket {controlSocket}";
        output.WriteLine("Control:");
        output.WriteLine($"  pmem-writecache status {control}");
        output.WriteLine($"  pmem-writecache message {control} flush");
        output.WriteLine("Stop with Ctrl-C or SIGTERM: requests in flight finish and everything is committed.");
        output.Flush();
    }

    private static string KernelClient(NbdServer server, string exportName)
    {
        string name = exportName.Length == 0 ? string.Empty : $" -N {exportName}";
        if (server.UnixSocketPath is { } socket)
        {
            return $"nbd-client -unix {socket} /dev/nbd0{name}";
        }

        var endPoint = (System.Net.IPEndPoint)server.LocalEndPoint;
        return $"nbd-client {endPoint.Address} {endPoint.Port} /dev/nbd0{name}";
    }
}
