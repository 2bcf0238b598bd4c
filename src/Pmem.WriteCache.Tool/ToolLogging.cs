using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Pmem.WriteCache.Tool;

/// <summary>Structured logs on stderr (stdout carries the command's output: status lines, connection hints).</summary>
internal static class ToolLogging
{
    /// <summary>The environment variable that sets the minimum level (Trace, Debug, Information, Warning, Error).</summary>
    public const string LevelVariable = "PMEM_WRITECACHE_LOG_LEVEL";

    public static ILoggerFactory Create(LogLevel defaultLevel = LogLevel.Information)
    {
        LogLevel level = Enum.TryParse(Environment.GetEnvironmentVariable(LevelVariable), ignoreCase: true, out LogLevel configured) ? configured : defaultLevel;
        return LoggerFactory.Create(builder => builder
            .SetMinimumLevel(level)
            .AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.TimestampFormat = "HH:mm:ss.fff ";
                options.ColorBehavior = LoggerColorBehavior.Disabled;
            })
            .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace));
    }
}
