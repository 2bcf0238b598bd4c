namespace Pmem.TestSupport;

/// <summary>The output of a program that ran to completion.</summary>
/// <param name="Command">The command line, for messages.</param>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="StandardOutput">Everything it wrote to standard output.</param>
/// <param name="StandardError">Everything it wrote to standard error.</param>
public sealed record ProgramResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Standard output followed by standard error.</summary>
    public string All() => StandardOutput + StandardError;

    /// <summary>The command, its exit code and both outputs, for a failure message.</summary>
    public string Describe() => $"{Command} exited with {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";

    /// <summary>Fails the test with <see cref="Describe"/> unless the program exited with 0.</summary>
    /// <returns>This result.</returns>
    public ProgramResult Succeeded()
    {
        Assert.True(ExitCode == 0, Describe());
        return this;
    }
}
