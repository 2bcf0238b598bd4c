namespace Pmem;

/// <summary>
/// The environment variables that override what the runtime detects, read once at start-up. Named after PMDK's
/// where PMDK has one, so the same settings mean the same thing for both. Documented in docs/runtime.md.
/// </summary>
public static class PmemEnvironment
{
    /// <summary><c>PMEM_IS_PMEM_FORCE=1</c>: every mapping counts as pmem (cache-line granularity); <c>=0</c>: none does (page granularity).</summary>
    public const string IsPmemForce = "PMEM_IS_PMEM_FORCE";

    /// <summary><c>PMEM_NO_CLWB=1</c>: write lines back with <c>clflushopt</c> (or <c>clflush</c>) even where <c>clwb</c> exists.</summary>
    public const string NoClwb = "PMEM_NO_CLWB";

    /// <summary><c>PMEM_NO_CLFLUSHOPT=1</c>: never use <c>clflushopt</c> (with <c>PMEM_NO_CLWB=1</c>, forces <c>clflush</c>).</summary>
    public const string NoClflushopt = "PMEM_NO_CLFLUSHOPT";

    /// <summary><c>PMEM_NO_MOVNT=1</c>: never use non-temporal stores; every copy is cached and written back.</summary>
    public const string NoMovnt = "PMEM_NO_MOVNT";

    /// <summary><c>PMEM_MOVNT_THRESHOLD=N</c>: copies of at least N bytes use non-temporal stores.</summary>
    public const string MovntThreshold = "PMEM_MOVNT_THRESHOLD";

    /// <summary><c>PMEM_NO_AVX512F=1</c>: non-temporal copies use at most 32-byte (AVX) stores.</summary>
    public const string NoAvx512 = "PMEM_NO_AVX512F";

    /// <summary><c>PMEM_NO_AVX=1</c>: non-temporal copies use 16-byte (SSE2) stores.</summary>
    public const string NoAvx = "PMEM_NO_AVX";

    /// <summary><c>PMEM_NO_DCCVAP=1</c>: flush with <c>dc cvac</c> even where the CPU offers <c>dc cvap</c>.</summary>
    public const string NoDcCvap = "PMEM_NO_DCCVAP";

    /// <summary>Whether <paramref name="name"/> is set to <c>1</c>.</summary>
    /// <param name="name">One of the constants of this class.</param>
    /// <returns><see langword="true"/> when the variable is exactly "1".</returns>
    public static bool IsSet(string name) => Environment.GetEnvironmentVariable(name) == "1";

    /// <summary>Whether <paramref name="name"/> is set to exactly <c>0</c>.</summary>
    /// <param name="name">One of the constants of this class.</param>
    /// <returns><see langword="true"/> when the variable is exactly "0".</returns>
    public static bool IsCleared(string name) => Environment.GetEnvironmentVariable(name) == "0";

    /// <summary>The integer value of <paramref name="name"/>, or null when unset.</summary>
    /// <param name="name">One of the constants of this class.</param>
    /// <returns>The value.</returns>
    /// <exception cref="InvalidOperationException">The variable is set but not a non-negative integer.</exception>
    public static int? GetInt32(string name)
    {
        string? text = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return int.TryParse(text, out int value) && value >= 0
            ? value
            : throw new InvalidOperationException($"{name}={text} is not a non-negative integer.");
    }
}
