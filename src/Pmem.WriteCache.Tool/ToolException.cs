namespace Pmem.WriteCache.Tool;

/// <summary>A failure the tool reports as one message and an exit code, without a stack trace.</summary>
internal sealed class ToolException : Exception
{
    public ToolException()
        : this("pmem-writecache failed.")
    {
    }

    public ToolException(string message)
        : this(message, ToolExitCode.Failed)
    {
    }

    public ToolException(string message, Exception innerException)
        : base(message, innerException)
        => ExitCode = ToolExitCode.Failed;

    public ToolException(string message, int exitCode, Exception? innerException = null)
        : base(message, innerException)
        => ExitCode = exitCode;

    /// <summary>One of <see cref="ToolExitCode"/>.</summary>
    public int ExitCode { get; }
}
