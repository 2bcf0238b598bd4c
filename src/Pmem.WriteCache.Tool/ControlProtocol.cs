using System.Globalization;
using System.Net;

namespace Pmem.WriteCache.Tool;

/// <summary>
/// The control socket's line protocol: a Unix socket (mode 0600) next to the NBD socket, one request per line, one
/// reply line each, UTF-8. Requests: <c>status</c>, <c>table</c>, <c>message &lt;words&gt;</c>. Replies:
/// <c>ok[ text]</c> or <c>error &lt;errno&gt; &lt;text&gt;</c>.
/// </summary>
internal static class ControlProtocol
{
    /// <summary>The longest request line the server reads; longer ones close the connection.</summary>
    public const int MaxLineLength = 4096;

    /// <summary>Appended to the NBD socket's path to name the control socket.</summary>
    public const string Suffix = ".ctl";

    public const string Ok = "ok";
    public const string Error = "error";

    /// <summary>The control socket of a server listening on the Unix socket <paramref name="nbdSocket"/>.</summary>
    public static string PathForSocket(string nbdSocket) => Path.GetFullPath(nbdSocket) + Suffix;

    /// <summary>
    /// The control socket of a server listening on TCP <paramref name="bound"/>, the address actually bound (for port
    /// 0, the port the system chose), in the user's private runtime directory.
    /// </summary>
    /// <exception cref="ToolException">That directory is not private (exit 2).</exception>
    public static string PathForTcp(IPEndPoint bound)
        => Path.Combine(PrivatePaths.EnsureRuntimeDirectory(), string.Create(CultureInfo.InvariantCulture, $"pmem-writecache-{bound.Address}-{bound.Port}{Suffix}"));

    public static string OkReply(string? text) => string.IsNullOrEmpty(text) ? Ok : $"{Ok} {text}";

    public static string ErrorReply(int errno, string text) => string.Create(CultureInfo.InvariantCulture, $"{Error} {errno} {text.ReplaceLineEndings(" ")}");
}
