using System.CommandLine;
using System.Net;
using Pmem.Nbd.Server;

namespace Pmem.WriteCache.Tool;

/// <summary><c>pmem-writecache serve [table line] [options]</c>.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var table = TableLineArgument.Create(optional: true);
        var socket = new Option<string?>("--socket", "-s") { Description = $"Unix socket to serve on (mode 0600). Default: {PrivatePaths.DefaultNbdSocketPath()}, or nbd.sock in the scratch directory without a table line." };
        var listen = new Option<string?>("--listen") { Description = "Serve on loopback TCP instead, e.g. 127.0.0.1:10809." };
        var control = new Option<string?>("--control-socket") { Description = $"Control socket for status and messages. Default: the NBD socket's path + '{ControlProtocol.Suffix}', or for TCP pmem-writecache-ADDRESS-PORT{ControlProtocol.Suffix} (the port bound) in {PrivatePaths.RuntimeDirectoryPath()}." };
        var exportName = new Option<string>("--export-name") { Description = "NBD export name.", DefaultValueFactory = _ => string.Empty };
        var readOnly = new Option<bool>("--read-only") { Description = "Serve read-only." };
        var createOrigin = new Option<string?>("--create-origin") { Description = "Create the origin file (sparse) with this size if it does not exist, e.g. 1G." };
        var createCache = new Option<string?>("--create-cache") { Description = "Create the cache file with this size if it does not exist, e.g. 256M." };
        var scratch = new Option<string?>("--scratch-dir") { Description = $"Without a table line: where the quick start keeps its origin and socket (also ${ScratchSetup.ScratchVariable})." };
        var receiveSpin = new Option<int?>("--receive-spin")
        {
            Description = $"Microseconds a connection polls for its next request before it sleeps (0 to {(int)NbdServerOptions.MaxReceiveSpin.TotalMicroseconds}). Default: {(int)NbdServerOptions.DefaultReceiveSpin.TotalMicroseconds} on this machine, 0 on a single CPU.",
        };
        var command = new Command("serve", "Serve a dm-writecache over NBD. Without a table line: a 1 GiB origin and a 256 MiB pmem cache in a scratch directory.")
        {
            table, socket, listen, control, exportName, readOnly, createOrigin, createCache, scratch, receiveSpin,
        };
        command.SetAction((parse, _) => CommandRunner.RunAsync(() =>
        {
            string[] words = parse.GetValue(table) ?? [];
            // The table line is checked before anything is created, so a refused line leaves no files behind.
            var settings = new ServeSettings(
                Table: words.Length == 0 ? null : TableLineArgument.Parse(words, command),
                SocketPath: parse.GetValue(socket),
                Listen: ParseListen(parse.GetValue(listen)),
                ControlSocketPath: parse.GetValue(control),
                ExportName: parse.GetValue(exportName)!,
                ReadOnly: parse.GetValue(readOnly),
                CreateOriginSize: parse.GetValue(createOrigin) is { } origin ? ByteSize.Parse(origin) : null,
                CreateCacheSize: parse.GetValue(createCache) is { } cache ? ByteSize.Parse(cache) : null,
                ScratchDirectory: parse.GetValue(scratch),
                ReceiveSpin: ParseReceiveSpin(parse.GetValue(receiveSpin)));
            if (settings.Listen is not null && settings.SocketPath is not null)
            {
                throw new ToolException("--socket and --listen exclude each other: serve on a Unix socket or on TCP.", ToolExitCode.BadInput);
            }

            return ServeHost.RunAsync(settings);
        }));
        return command;
    }

    private static TimeSpan? ParseReceiveSpin(int? microseconds)
    {
        if (microseconds is not { } us)
        {
            return null;
        }

        var spin = TimeSpan.FromMicroseconds(us);
        if (!NbdServerOptions.IsValidReceiveSpin(spin))
        {
            throw new ToolException($"--receive-spin {us}: give 0 to {(int)NbdServerOptions.MaxReceiveSpin.TotalMicroseconds} microseconds.", ToolExitCode.BadInput);
        }

        return spin;
    }

    private static IPEndPoint? ParseListen(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (!IPEndPoint.TryParse(text, out IPEndPoint? endPoint) || endPoint.Port == 0 && !text.EndsWith(":0", StringComparison.Ordinal))
        {
            throw new ToolException($"--listen '{text}' is not an address:port such as 127.0.0.1:10809.", ToolExitCode.BadInput);
        }

        if (!IPAddress.IsLoopback(endPoint.Address))
        {
            throw new ToolException($"--listen {text}: only loopback addresses are served (NBD has no authentication).", ToolExitCode.BadInput);
        }

        return endPoint;
    }
}
