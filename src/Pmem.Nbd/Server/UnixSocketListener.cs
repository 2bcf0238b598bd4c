using System.Net.Sockets;
using System.Text;

namespace Pmem.Nbd.Server;

/// <summary>Creates a listening Unix socket that only its owner can connect to.</summary>
internal static class UnixSocketListener
{
    /// <summary>The longest socket path Linux accepts, in bytes: <c>sun_path</c> is 108 bytes including the terminating NUL.</summary>
    public const int MaxPathBytes = 107;

    /// <summary>
    /// Binds <paramref name="path"/>, restricts it to mode 0600 before listening (so nobody else can connect in
    /// between), and listens. A stale socket left by a crashed server is replaced; a live one is an error.
    /// </summary>
    /// <exception cref="IOException">The path cannot hold a socket (too long, a directory, in a missing directory), another server listens there, or binding failed; the message says which.</exception>
    public static Socket Listen(string path, int backlog)
    {
        CheckPath(path);
        RemoveStaleSocket(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            try
            {
                socket.Bind(new UnixDomainSocketEndPoint(path));
            }
            catch (SocketException e)
            {
                throw new IOException($"Cannot listen on Unix socket '{path}': {e.Message}", e);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            socket.Listen(backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // What the kernel would refuse with a misleading errno (EADDRNOTAVAIL, EADDRINUSE) or .NET with an exception about
    // lengths, said plainly.
    private static void CheckPath(string path)
    {
        int bytes = Encoding.UTF8.GetByteCount(path);
        if (bytes > MaxPathBytes)
        {
            throw new IOException($"Unix socket path '{path}' is {bytes} bytes long; a Unix socket address holds at most {MaxPathBytes} bytes (sun_path is {MaxPathBytes + 1} bytes, ending in NUL). Choose a shorter path.");
        }

        if (Directory.Exists(path))
        {
            throw new IOException($"Unix socket path '{path}' is a directory; give the path of the socket file to create, such as '{Path.Combine(path, "nbd.sock")}'.");
        }

        string? directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
        {
            throw new IOException($"Cannot listen on Unix socket '{path}': directory '{directory}' does not exist.");
        }
    }

    private static void RemoveStaleSocket(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            // Nobody listens. A socket node has length 0; anything longer is a regular file we must not delete.
            if (new FileInfo(path).Length != 0)
            {
                throw new IOException($"'{path}' exists and is not a socket; refusing to replace it.", e);
            }

            File.Delete(path);
            return;
        }

        throw new IOException($"Another server is already listening on '{path}'.");
    }
}
