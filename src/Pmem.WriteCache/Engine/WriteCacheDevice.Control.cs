using Pmem.WriteCache.Engine;

namespace Pmem.WriteCache;

/// <summary>Suspend, resume, messages and close, with the kernel's semantics.</summary>
public sealed partial class WriteCacheDevice
{
    /// <summary>
    /// Suspends the cache as <c>dmsetup suspend</c> does: commits, writes everything back if <c>flush_on_suspend</c>
    /// was requested (or in cleaner mode), waits for writeback in flight, and holds new requests until
    /// <see cref="ResumeAsync"/>.
    /// </summary>
    /// <returns>A task that completes when suspended.</returns>
    public async Task SuspendAsync()
    {
        bool flushOnSuspend;
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_suspended)
            {
                return;
            }

            StopTimers();
            await CommitAsync().ConfigureAwait(false);
            await FenceSupersededFreesAsync().ConfigureAwait(false); // a suspended cache's media is final
            flushOnSuspend = _flushOnSuspend;
            if (flushOnSuspend)
            {
                _flushOnSuspend = false;
                Interlocked.Increment(ref _writebackAll);
            }

            _suspended = true;
        }
        finally
        {
            _lock.Release();
        }

        if (flushOnSuspend)
        {
            await RunWritebackPassAsync().ConfigureAwait(false);
        }

        // Drain: a pass the worker had started finishes before the cache counts as suspended.
        await _writebackGate.WaitAsync().ConfigureAwait(false);
        _writebackGate.Release();
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (flushOnSuspend)
            {
                Interlocked.Decrement(ref _writebackAll);
            }

            while (_writebackSize > 0)
            {
                await WaitOnFreelistIgnoringSuspendAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Resumes a suspended cache: rebuilds its state from the media (as the kernel does) and lets requests through.</summary>
    /// <returns>A task that completes when resumed.</returns>
    public async Task ResumeAsync()
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_suspended)
            {
                await ResumeCoreAsync(atOpen: false).ConfigureAwait(false);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Handles a <c>dmsetup message</c>: <c>flush</c> (commit, write everything back and wait), <c>flush_on_suspend</c>,
    /// <c>cleaner</c>, <c>clear_stats</c>. Names are case-insensitive; extra words are refused.
    /// </summary>
    /// <param name="message">The message words, e.g. <c>"flush"</c>.</param>
    /// <returns>A task that completes when the message has been handled.</returns>
    /// <exception cref="WriteCacheMessageException">EINVAL for an unknown or malformed message, EBUSY for <c>flush</c>
    /// while suspended, EIO when the cache is or becomes failed during <c>flush</c>.</exception>
    public async Task SendMessageAsync(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        string[] argv = message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (argv.Length == 0)
        {
            throw new WriteCacheMessageException(LinuxErrno.EINVAL, "Empty message");
        }

        string name = argv[0].ToLowerInvariant();
        if (name is not ("flush" or "flush_on_suspend" or "cleaner" or "clear_stats"))
        {
            throw new WriteCacheMessageException(LinuxErrno.EINVAL, $"unrecognised message received: {argv[0]}");
        }

        if (argv.Length != 1)
        {
            throw new WriteCacheMessageException(LinuxErrno.EINVAL, $"message {argv[0]} takes no arguments");
        }

        if (name == "flush")
        {
            await FlushMessageAsync().ConfigureAwait(false);
            return;
        }

        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            switch (name)
            {
                case "flush_on_suspend":
                    _flushOnSuspend = true;
                    break;
                case "cleaner":
                    ActivateCleaner();
                    if (!_suspended)
                    {
                        VerifyWatermark();
                    }

                    break;
                default:
                    _stats = default;
                    break;
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Closes the cache as <c>dmsetup remove</c> does: suspends it (committing everything), stops its workers and releases the devices it owns.</summary>
    /// <returns>A task that completes when closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await SuspendAsync().ConfigureAwait(false);
        await StopBackgroundWorkAsync().ConfigureAwait(false);
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            _resumed.TrySetResult(); // waiters wake up and see the cache is gone
        }
        finally
        {
            _lock.Release();
        }

        await _store.DisposeAsync().ConfigureAwait(false);
        if (_ownsOrigin)
        {
            await _origin.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task FlushMessageAsync()
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_suspended)
            {
                throw new WriteCacheMessageException(LinuxErrno.EBUSY, "flush: the cache is suspended");
            }

            if (_error != 0)
            {
                throw new WriteCacheMessageException(LinuxErrno.EIO, $"flush: the cache is in its error state ({ErrorMessage})");
            }

            await CommitAsync().ConfigureAwait(false);
            Interlocked.Increment(ref _writebackAll);
        }
        finally
        {
            _lock.Release();
        }

        try
        {
            await RunWritebackPassAsync().ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _writebackAll);
        }

        if (Volatile.Read(ref _error) != 0)
        {
            throw new WriteCacheMessageException(LinuxErrno.EIO, $"flush: the cache is in its error state ({ErrorMessage})");
        }
    }

    /// <summary>Rebuilds state from the media, restarts the timers and lets requests in. Called with the lock held.</summary>
    private async ValueTask ResumeCoreAsync(bool atOpen)
    {
        await RecoverAsync(atOpen).ConfigureAwait(false);
        _uncommittedBlocks = 0;
        _suspended = false;
        TaskCompletionSource resumed = _resumed;
        _resumed = NewSignal();
        resumed.TrySetResult();
        VerifyWatermark();
        if (_maxAgeMs >= 0)
        {
            long period = Math.Max(1, _maxAgeMs / MaxAgeDivisor);
            _maxAgeTimer.Change(period, period);
        }
    }

    private void ActivateCleaner()
    {
        _flushOnSuspend = true;
        _cleaner = true;
        _freelistHighWatermark = _layout.BlockCount;
        _freelistLowWatermark = _layout.BlockCount;
    }

    private void StopTimers()
    {
        _autocommitArmed = false;
        _autocommitTimer.Change(Timeout.Infinite, Timeout.Infinite);
        _maxAgeTimer.Change(Timeout.Infinite, Timeout.Infinite);
    }

    private async Task StopBackgroundWorkAsync()
    {
        StopTimers();
        await _shutdown.CancelAsync().ConfigureAwait(false);
        await _writebackWorker.ConfigureAwait(false);
        await _autocommitTimer.DisposeAsync().ConfigureAwait(false);
        await _maxAgeTimer.DisposeAsync().ConfigureAwait(false);
    }
}
