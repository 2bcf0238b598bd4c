using System.Diagnostics;

namespace Pmem.Nbd.Tests;

/// <summary>
/// The one bounded wait for a condition that no event reports (another process's socket appearing, the server's
/// connection table emptying). Waits that an event or a log entry can end use those instead.
/// </summary>
internal static class Poll
{
    /// <summary>How long <see cref="Until"/> waits unless told otherwise: long enough for a loaded CI machine.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Returns once <paramref name="condition"/> holds; fails the test naming <paramref name="what"/> when the timeout passes first.</summary>
    public static void Until(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? DefaultTimeout;
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > limit)
            {
                Assert.Fail($"Waited {limit.TotalSeconds:0.#} s for {what}; it did not happen.");
            }

            Thread.Sleep(5);
        }
    }
}
