using System.Diagnostics;

namespace Pmem.TestSupport;

/// <summary>
/// Waits, with a bound, for something that must happen on its own time (a timer, a background pass, a process) and
/// has no event to wait on. Only for what must happen: what must not happen is shown by a deterministic hook, never
/// by waiting and seeing nothing.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    /// <param name="condition">What must come true.</param>
    /// <param name="timeout">Generous: machines running tests are loaded.</param>
    /// <param name="what">Said in the failure, e.g. "the max_age timer wrote the block back".</param>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"not within {timeout.TotalSeconds:0.#} s: {what}");
            }

            await Task.Delay(PollInterval);
        }
    }
}
