using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Pmem.Nbd.Tests;

/// <summary>Keeps every log entry so tests can check that a bad client was logged.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => _entries.ToArray();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => _entries.Enqueue((logLevel, formatter(state, exception)));

    /// <summary>Waits (bounded) until a warning or worse contains <paramref name="text"/>.</summary>
    public bool WaitForWarning(string text, int timeoutMs = 5000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (Environment.TickCount64 < deadline)
        {
            if (_entries.Any(e => e.Level >= LogLevel.Warning && e.Message.Contains(text, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }

            Thread.Sleep(10);
        }

        return false;
    }
}
