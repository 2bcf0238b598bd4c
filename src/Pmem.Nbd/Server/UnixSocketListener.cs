using System.Net.Sockets;

namespace Pmem.Nbd.Server;

/// <summary>Creates a listening Unix socket that only its owner can connect to.</summary>
internal static class UnixSocketListener
{
    /// <summary>
    /// Binds <paramref name="path"/>, restricts it to mode 0600 before listening (so nobody else can connect in
    /// between), and listens. A stale socket left by a crashed server is replaced; a live one is an error.
    /// </summary>
    public static Socket Listen(string path, int backlog)
    {
        RemoveStaleSocket(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
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
