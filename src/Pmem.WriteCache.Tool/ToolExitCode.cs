namespace Pmem.WriteCache.Tool;

/// <summary>The process exit codes of <c>pmem-writecache</c>, so scripts can tell a refused input from corruption.</summary>
internal static class ToolExitCode
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>An operation failed at run time (I/O error, server unreachable, a message the cache refused).</summary>
    public const int Failed = 1;

    /// <summary>The input was refused before anything was written: bad table line, option, size or device.</summary>
    public const int BadInput = 2;

    /// <summary>The cache device's metadata is corrupt (dm-writecache could never have written it).</summary>
    public const int Corrupt = 3;

    /// <summary><c>serve</c> was stopped by a second SIGINT/SIGTERM before its clean shutdown finished (what SIGKILL leaves).</summary>
    public const int ForcedStop = 4;
}
