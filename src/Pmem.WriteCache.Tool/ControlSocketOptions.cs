using System.CommandLine;
using Pmem.Nbd.Server;

namespace Pmem.WriteCache.Tool;

/// <summary>How <c>status</c> and <c>message</c> find a running server: its NBD socket, or its control socket directly.</summary>
internal sealed class ControlSocketOptions
{
    public Option<string?> Socket { get; } = new("--socket", "-s")
    {
        Description = $"The NBD Unix socket the server listens on; its control socket is this path + '{ControlProtocol.Suffix}'. Default: {PrivatePaths.DefaultNbdSocketPath()}.",
    };

    public Option<string?> ControlSocket { get; } = new("--control-socket")
    {
        Description = "The server's control socket (for a server listening on TCP, or started with --control-socket).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Socket);
        command.Options.Add(ControlSocket);
    }

    public string Resolve(ParseResult parse)
        => parse.GetValue(ControlSocket) ?? ControlProtocol.PathForSocket(parse.GetValue(Socket) ?? PrivatePaths.DefaultNbdSocketPath());
}
