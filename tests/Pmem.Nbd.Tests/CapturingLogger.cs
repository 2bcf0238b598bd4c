using Microsoft.Extensions.Logging;

namespace Pmem.Nbd.Tests;

/// <summary>Keeps every log entry so tests can check what was logged, and wait for an entry as for an event.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly List<(LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return _entries.ToArray();
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        string message = formatter(state, exception);
        lock (_entries)
        {
            _entries.Add((logLevel, message));
            Monitor.PulseAll(_entries);
        }
    }

    /// <summary>Waits (bounded) until a warning or worse contains <paramref name="text"/>.</summary>
    public bool WaitForWarning(string text, int timeoutMs = 5000) => WaitFor(LogLevel.Warning, text, timeoutMs);

    /// <summary>
    /// Waits (bounded) until <paramref name="count"/> entries of <paramref name="level"/> or worse contain
    /// <paramref name="text"/>; woken by each new entry.
    /// </summary>
    public bool WaitFor(LogLevel level, string text, int timeoutMs = 5000, int count = 1)
    {
        long deadline = Environment.TickCount64 + timeoutMs;
        lock (_entries)
        {
            int seen = 0;
            int found = 0;
            while (true)
            {
                for (; seen < _entries.Count; seen++)
                {
                    if (_entries[seen].Level >= level && _entries[seen].Message.Contains(text, StringComparison.OrdinalIgnoreCase) && ++found == count)
                    {
                        return true;
                    }
                }

                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    return false;
                }

                Monitor.Wait(_entries, (int)left);
            }
        }
    }
}
