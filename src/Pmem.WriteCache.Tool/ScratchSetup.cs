using System.Security.Cryptography;
using System.Text;

namespace Pmem.WriteCache.Tool;

/// <summary>
/// The no-argument <c>serve</c>: an origin (1 GiB, sparse) and a cache (256 MiB) in a scratch directory, the cache on
/// a DAX file system when one is mounted and writable, otherwise on <c>/dev/shm</c> as emulated pmem. Files are kept
/// between runs, so what was written survives a restart. Every default path is private to the user
/// (<see cref="PrivatePaths"/>): the scratch directory, and the cache's directory on the DAX mount or <c>/dev/shm</c>.
/// </summary>
internal static class ScratchSetup
{
    /// <summary>Overrides the scratch directory (as <c>--scratch-dir</c> does).</summary>
    public const string ScratchVariable = "PMEM_WRITECACHE_SCRATCH";

    public const long OriginSize = 1L << 30;
    public const long CacheSize = 256L << 20;

    /// <summary>The settings the quick start serves with: the table line over the scratch files and a socket in the scratch directory.</summary>
    /// <exception cref="ToolException">A default path is not private to the user, or a file there is not theirs (exit 2).</exception>
    public static ServeSettings Apply(ServeSettings settings)
    {
        string? chosen = settings.ScratchDirectory
            ?? (Environment.GetEnvironmentVariable(ScratchVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
        string directory = chosen is null ? PrivatePaths.EnsurePrivateDirectory(DefaultDirectory()) : ChosenDirectory(chosen);
        string origin = Path.Combine(directory, "origin.img");
        string cache = Path.Combine(CacheDirectory() ?? directory, $"{DirectoryTag(directory)}.cache");
        PrivatePaths.VerifyOwnedEntry(origin, "origin");
        PrivatePaths.VerifyOwnedEntry(cache, "cache");
        var table = WriteCacheTable.Parse($"p {origin} {cache} 4096 0");
        return settings with
        {
            Table = table,
            SocketPath = settings.SocketPath ?? (settings.Listen is null ? Path.Combine(directory, "nbd.sock") : null),
            CreateOriginSize = settings.CreateOriginSize ?? OriginSize,
            CreateCacheSize = settings.CreateCacheSize ?? CacheSize,
        };
    }

    /// <summary><c>$XDG_RUNTIME_DIR/pmem-writecache-UID</c>, else <c>pmem-writecache-UID</c> in the temp directory.</summary>
    private static string DefaultDirectory()
        => Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime
            ? Path.Combine(runtime, PrivatePaths.PerUserName)
            : PrivatePaths.RuntimeDirectoryPath();

    /// <summary>A directory the user named: theirs to choose, created private if missing; its files are still checked.</summary>
    private static string ChosenDirectory(string chosen)
    {
        string directory = Path.GetFullPath(chosen);
        PrivatePaths.VerifyParent(directory);
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return directory;
    }

    /// <summary>
    /// Our private directory on a mounted DAX file system we may write to, else on <c>/dev/shm</c>, else null (the
    /// scratch directory: page granularity). A directory there that another user made first is refused, not skipped.
    /// </summary>
    private static string? CacheDirectory()
    {
        foreach (string root in DaxMounts().Append("/dev/shm"))
        {
            string directory = Path.Combine(root, PrivatePaths.PerUserName);
            try
            {
                return PrivatePaths.EnsurePrivateDirectory(directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not writable for us (read-only mount, no permission): try the next place.
            }
        }

        return null;
    }

    private static IEnumerable<string> DaxMounts()
    {
        if (!File.Exists("/proc/mounts"))
        {
            return [];
        }

        return File.ReadLines("/proc/mounts")
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length >= 4 && fields[3].Split(',').Any(option => option is "dax" or "dax=always"))
            .Select(fields => fields[1])
            .ToList();
    }

    /// <summary>Names the cache after the scratch directory, so each scratch directory has its own and finds it again.</summary>
    private static string DirectoryTag(string directory) => "pmem-writecache-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(directory)))[..12];
}
