using System.CommandLine;

namespace Pmem.WriteCache.Tool;

/// <summary>The <c>pmem-writecache</c> command line: <c>serve</c>, <c>status</c>, <c>message</c>, <c>format</c>, <c>check</c>, <c>flush</c>.</summary>
internal static class ToolCommandLine
{
    public static RootCommand Create() => new("pmem-writecache: a user-space dm-writecache (pmem or ssd mode) served over NBD.")
    {
        ServeCommand.Create(),
        StatusCommand.Create(),
        MessageCommand.Create(),
        FormatCommand.Create(),
        CheckCommand.Create(),
        FlushCommand.Create(),
    };
}
