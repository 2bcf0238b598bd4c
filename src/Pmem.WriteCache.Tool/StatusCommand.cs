using System.CommandLine;

namespace Pmem.WriteCache.Tool;

/// <summary><c>pmem-writecache status [--table]</c>: what <c>dmsetup status</c> (or <c>dmsetup table</c>) prints for the running cache.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var sockets = new ControlSocketOptions();
        var table = new Option<bool>("--table") { Description = "Print the table line (dmsetup table) instead of the status line." };
        var command = new Command("status", "Print the running cache's status line in the kernel's format: "
            + "<start> <sectors> writecache <error> <blocks> <free> <writeback> <reads> <read hits> <writes> <write hits uncommitted> "
            + "<write hits committed> <writes around> <writes allocate> <writes blocked on freelist> <flushes> <discards>.");
        sockets.AddTo(command);
        command.Options.Add(table);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            await using ControlClient client = await ControlClient.ConnectAsync(sockets.Resolve(parse), cancellationToken);
            Console.WriteLine(await client.RequestAsync(parse.GetValue(table) ? "table" : "status", cancellationToken));
            return ToolExitCode.Success;
        }));
        return command;
    }
}
