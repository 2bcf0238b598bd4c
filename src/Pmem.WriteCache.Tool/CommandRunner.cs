using System.Net.Sockets;
using Pmem.BlockDevices;
using Pmem.Nbd;
using Pmem.Nbd.Server;

namespace Pmem.WriteCache.Tool;

/// <summary>
/// Runs a command's body and turns the failures a user can cause into one line on stderr and an exit code: the
/// kernel's text for a refused table line or device, the corruption found, or what failed at run time.
/// </summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (WriteCacheConfigurationException e)
        {
            // The kernel logs "writecache: <text>" and dmsetup fails with the errno; we say both, and what was wrong.
            return Fail($"writecache: {e.Message} ({LinuxErrnoName(e.Errno)}); nothing was written.", ToolExitCode.BadInput);
        }
        catch (CacheCorruptException e)
        {
            return Fail(e.Message, ToolExitCode.Corrupt);
        }
        catch (WriteCacheMessageException e)
        {
            return Fail($"message refused: {e.Message} ({LinuxErrnoName(e.Errno)})", ToolExitCode.Failed);
        }
        catch (ToolException e)
        {
            return Fail(e.Message, e.ExitCode);
        }
        catch (NbdConfigurationException e)
        {
            return Fail(e.Message, ToolExitCode.BadInput);
        }
        catch (Exception e) when (e is IOException or SocketException or UnauthorizedAccessException or BlockDeviceException or NbdProtocolException)
        {
            return Fail(e.Message, ToolExitCode.Failed);
        }
    }

    /// <summary>The symbolic name of a positive Linux errno, as strerror users know them.</summary>
    public static string LinuxErrnoName(int errno) => errno switch
    {
        LinuxErrno.EIO => "EIO",
        LinuxErrno.EINVAL => "EINVAL",
        LinuxErrno.ENOSPC => "ENOSPC",
        LinuxErrno.ENODEV => "ENODEV",
        LinuxErrno.EBUSY => "EBUSY",
        LinuxErrno.EFBIG => "EFBIG",
        LinuxErrno.EOPNOTSUPP => "EOPNOTSUPP",
        _ => $"errno {errno}",
    };

    private static int Fail(string message, int exitCode)
    {
        Console.Error.WriteLine($"pmem-writecache: {message}");
        return exitCode;
    }
}
