namespace Pmem.WriteCache.Engine;

/// <summary>
/// Suspend, resume, messages and close, with the kernel's semantics (<c>writecache_presuspend/postsuspend</c>,
/// <c>writecache_resume</c>, <c>writecache_message</c>, <c>writecache_dtr</c>). Owns <c>flush_on_suspend</c>.
/// </summary>
internal sealed class Control
{
    private readonly CacheCore _core;
    private readonly Freelist _freelist;
    private readonly CommitProtocol _commit;
    private readonly Writeback _writeback;
    private readonly Recovery _recovery;
    private bool _flushOnSuspend;

    public Control(CacheCore core, Freelist freelist, CommitProtocol commit, Writeback writeback, Recovery recovery)
    {
        _core = core;
        _freelist = freelist;
        _commit = commit;
        _writeback = writeback;
        _recovery = recovery;
    }

    /// <summary>
    /// Commits, writes everything back if <c>flush_on_suspend</c> was requested (or in cleaner mode), waits for
    /// writeback in flight, and holds new requests until <see cref="ResumeAsync"/>.
    /// </summary>
    public async Task SuspendAsync()
    {
        bool flushOnSuspend;
        await _core.Lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_core.Gate.IsSuspended)
            {
                return;
            }

            StopTimers();
            await _commit.CommitAsync().ConfigureAwait(false);
            await _commit.FenceSupersededFreesAsync().ConfigureAwait(false); // a suspended cache's media is final
            flushOnSuspend = _flushOnSuspend;
            if (flushOnSuspend)
            {
                _flushOnSuspend = false;
                _writeback.BeginWritingEverything();
            }

            _core.Gate.Suspend();
        }
        finally
        {
            _core.Lock.Release();
        }

        if (flushOnSuspend)
        {
            await _writeback.RunPassAsync().ConfigureAwait(false);
        }

        // Drain: a pass the worker had started finishes before the cache counts as suspended.
        await _writeback.DrainAsync().ConfigureAwait(false);
        await _core.Lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (flushOnSuspend)
            {
                _writeback.EndWritingEverything();
            }

            while (_freelist.WritebackSize > 0)
            {
                await _freelist.WaitIgnoringSuspendAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _core.Lock.Release();
        }
    }

    /// <summary>Resumes a suspended cache: rebuilds its state from the media (as the kernel does) and lets requests through.</summary>
    public async Task ResumeAsync(object owner)
    {
        await _core.Lock.WaitAsync().ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_core.Gate.IsClosed, owner);
            if (_core.Gate.IsSuspended)
            {
                await ResumeCoreAsync(atOpen: false).ConfigureAwait(false);
            }
        }
        finally
        {
            _core.Lock.Release();
        }
    }

    /// <summary>Rebuilds state from the media, restarts the timers and lets requests in. Called with the lock held (or before the cache is shared).</summary>
    /// <param name="atOpen">Corrupt or unreadable metadata throws (at open) instead of entering the error state.</param>
    public async ValueTask ResumeCoreAsync(bool atOpen)
    {
        await _recovery.RecoverAsync(atOpen).ConfigureAwait(false);
        _commit.UncommittedBlocks = 0;
        _core.Gate.Resume();
        _freelist.VerifyWatermark();
        _writeback.StartMaxAgeTimer();
    }

    /// <summary>
    /// Handles a <c>dmsetup message</c>: <c>flush</c> (commit, write everything back and wait), <c>flush_on_suspend</c>,
    /// <c>cleaner</c>, <c>clear_stats</c>. Names are case-insensitive; extra words are refused.
    /// </summary>
    public async Task SendMessageAsync(string message)
    {
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

        await _core.Lock.WaitAsync().ConfigureAwait(false);
        try
        {
            switch (name)
            {
                case "flush_on_suspend":
                    _flushOnSuspend = true;
                    break;
                case "cleaner":
                    ActivateCleaner();
                    if (!_core.Gate.IsSuspended)
                    {
                        _freelist.VerifyWatermark();
                    }

                    break;
                default:
                    _core.Stats.Clear();
                    break;
            }
        }
        finally
        {
            _core.Lock.Release();
        }
    }

    /// <summary>Cleaner mode: write everything back, send new writes around, and write everything back at suspend.</summary>
    public void ActivateCleaner()
    {
        _flushOnSuspend = true;
        _writeback.ActivateCleaner();
    }

    /// <summary>Closes the gate for good: requests waiting for a resume wake up and see the cache is gone.</summary>
    public async Task CloseAsync()
    {
        await _core.Lock.WaitAsync().ConfigureAwait(false);
        try
        {
            _core.Gate.Close();
        }
        finally
        {
            _core.Lock.Release();
        }
    }

    /// <summary>Stops the background work: timers and the writeback worker.</summary>
    public async Task StopBackgroundWorkAsync()
    {
        StopTimers();
        await _writeback.DisposeAsync().ConfigureAwait(false);
        await _commit.DisposeAsync().ConfigureAwait(false);
    }

    private async Task FlushMessageAsync()
    {
        await _core.Lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_core.Gate.IsSuspended)
            {
                throw new WriteCacheMessageException(LinuxErrno.EBUSY, "flush: the cache is suspended");
            }

            if (_core.Error.IsSet)
            {
                throw new WriteCacheMessageException(LinuxErrno.EIO, $"flush: the cache is in its error state ({_core.Error.Message})");
            }

            await _commit.CommitAsync().ConfigureAwait(false);
            _writeback.BeginWritingEverything();
        }
        finally
        {
            _core.Lock.Release();
        }

        try
        {
            await _writeback.RunPassAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeback.EndWritingEverything();
        }

        if (_core.Error.IsSet)
        {
            throw new WriteCacheMessageException(LinuxErrno.EIO, $"flush: the cache is in its error state ({_core.Error.Message})");
        }
    }

    private void StopTimers()
    {
        _commit.Autocommit.Disarm();
        _writeback.StopMaxAgeTimer();
    }
}
