using System.Security.Cryptography;
using System.Text;

namespace Pmem.WriteCache.Tool;

/// <summary>
/// The no-argument <c>serve</c>: an origin (1 GiB, sparse) and a cache (256 MiB) in a scratch directory, the cache on
/// a DAX file system when one is mounted and writable, otherwise on <c>/dev/shm</c> as emulated pmem. Files are kept
/// between runs, so what was written survives a restart.
/// </summary>
internal static class ScratchSetup
{
    /// <summary>Overrides the scratch directory (as <c>--scratch-dir</c> does).</summary>
    public const string ScratchVariable = "PMEM_WRITECACHE_SCRATCH";

    public const long OriginSize = 1L << 30;
    public const long CacheSize = 256L << 20;

    /// <summary>The settings the quick start serves with: the table line over the scratch files and a socket in the scratch directory.</summary>
    public static ServeSettings Apply(ServeSettings settings)
    {
        string directory = Path.GetFullPath(settings.ScratchDirectory
            ?? (Environment.GetEnvironmentVariable(ScratchVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultDirectory()));
        Directory.CreateDirectory(directory);
        string origin = Path.Combine(directory, "origin.img");
        string cache = Path.Combine(CacheDirectory() ?? directory, $"pmem-writecache-{DirectoryTag(directory)}.cache");
        var table = WriteCacheTable.Parse($"p {origin} {cache} 4096 0");
        return settings with
        {
            Table = table,
            SocketPath = settings.SocketPath ?? (settings.Listen is null ? Path.Combine(directory, "nbd.sock") : null),
            CreateOriginSize = settings.CreateOriginSize ?? OriginSize,
            CreateCacheSize = settings.CreateCacheSize ?? CacheSize,
        };
    }

    private static string DefaultDirectory()
    {
        string root = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime ? runtime : Path.GetTempPath();
        return Path.Combine(root, $"pmem-writecache-{Environment.UserName}");
    }

    /// <summary>A mounted DAX file system we may write to, else <c>/dev/shm</c>, else null (the scratch directory: page granularity).</summary>
    private static string? CacheDirectory()
    {
        if (File.Exists("/proc/mounts"))
        {
            foreach (string line in File.ReadLines("/proc/mounts"))
            {
                string[] fields = line.Split(' ');
                if (fields.Length >= 4 && fields[3].Split(',').Any(option => option is "dax" or "dax=always") && IsWritable(fields[1]))
                {
                    return fields[1];
                }
            }
        }

        return Directory.Exists("/dev/shm") && IsWritable("/dev/shm") ? "/dev/shm" : null;
    }

    private static bool IsWritable(string directory)
    {
        string probe = Path.Combine(directory, $".pmem-writecache-probe-{Environment.ProcessId}");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Names the cache after the scratch directory, so each scratch directory has its own and finds it again.</summary>
    private static string DirectoryTag(string directory) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(directory)))[..12];
}
