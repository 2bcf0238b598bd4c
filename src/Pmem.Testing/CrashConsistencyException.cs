namespace Pmem.Testing;

/// <summary>Thrown by the assertion helpers when some crash image fails the check.</summary>
public sealed class CrashConsistencyException : Exception
{
    /// <summary>Creates the exception for <paramref name="counterexample"/>.</summary>
    /// <param name="counterexample">The first failing image.</param>
    /// <param name="failures">How many images failed in all.</param>
    public CrashConsistencyException(CrashCounterexample counterexample, long failures)
        : base(Describe(counterexample, failures), counterexample?.Failure)
    {
        Counterexample = counterexample!;
    }

    /// <summary>The first failing image.</summary>
    public CrashCounterexample Counterexample { get; }

    private static string Describe(CrashCounterexample counterexample, long failures)
    {
        ArgumentNullException.ThrowIfNull(counterexample);
        return failures > 1 ? $"{counterexample}{Environment.NewLine}({failures} failing images in all; this is the first.)" : counterexample.ToString();
    }
}
