using System.Globalization;
using System.Runtime.InteropServices;
using Pmem.BlockDevices;
using Pmem.Nbd.Server;

// Usage: Pmem.Nbd.MemoryServer <socket path> <size in MiB> [receive spin in µs]
// Serves a zero-filled in-memory device (4 KiB blocks) as the default export until SIGTERM or Ctrl+C.
// The receive spin defaults to the server's (NbdServerOptions.DefaultReceiveSpin).
const string Usage = "usage: Pmem.Nbd.MemoryServer <socket path> <size in MiB> [receive spin in microseconds]";
if (args.Length is < 2 or > 3 || !long.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out long mebibytes) || mebibytes <= 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

TimeSpan receiveSpin = NbdServerOptions.DefaultReceiveSpin;
if (args.Length == 3)
{
    if (!int.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out int microseconds))
    {
        Console.Error.WriteLine(Usage);
        return 2;
    }

    receiveSpin = TimeSpan.FromMicroseconds(microseconds);
}

var device = new MemoryBlockDevice(mebibytes << 20, logicalBlockSize: 4096);
var options = new NbdServerOptions { UnixSocketPath = args[0], ReceiveSpin = receiveSpin };
options.Exports.Add(new NbdExport(string.Empty, device));

using var stop = new CancellationTokenSource();
using PosixSignalRegistration onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

await using (NbdServer server = NbdServer.Start(options))
{
    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token);
    }
    catch (OperationCanceledException)
    {
        // SIGTERM or Ctrl+C: fall through to a graceful stop.
    }
}

return 0;
