using System.Text;
using Pmem.BlockDevices;

namespace Pmem.WriteCache.Tool;

/// <summary>Checks a Unix socket path before the tool binds it: length, directory, and what is there already.</summary>
internal static class SocketPaths
{
    /// <summary>The longest path a Unix socket address holds: <c>sun_path</c> is 108 bytes with the terminating NUL.</summary>
    public const int MaxPathBytes = 107;

    /// <summary>
    /// Verifies that <paramref name="path"/> can be bound safely: short enough, in an existing directory whose entries
    /// others cannot replace, and either free or a socket of ours (a stale one, or a live server the caller reports).
    /// </summary>
    /// <param name="path">The socket path.</param>
    /// <param name="role">"NBD socket" or "control socket", for messages.</param>
    /// <exception cref="ToolException">Exit 2, naming the path and what is wrong.</exception>
    public static void VerifyBindable(string path, string role)
    {
        int length = Encoding.UTF8.GetByteCount(Path.GetFullPath(path));
        if (length > MaxPathBytes)
        {
            throw new ToolException($"the {role} path '{path}' is {length} bytes long; a Unix socket path holds at most {MaxPathBytes}. Choose a shorter one.", ToolExitCode.BadInput);
        }

        PrivatePaths.VerifyParent(path);
        if (FileStatus.TryGet(path, followLinks: false, out FileStatus status, out _))
        {
            if (status.Kind != FileKind.Socket)
            {
                throw new ToolException($"the {role} path '{path}' is {FileStatus.Describe(status.Kind)}, not a socket; refusing to replace it.", ToolExitCode.BadInput);
            }

            PrivatePaths.VerifyOwnedEntry(path, role);
        }
    }
}
