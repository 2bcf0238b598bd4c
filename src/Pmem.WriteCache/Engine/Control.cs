namespace Pmem.WriteCache.Engine;

/// <summary>
/// Suspend, resume, messages and close, with the kernel's semantics (<c>writecache_presuspend/postsuspend</c>,
/// <c>writecache_resume</c>, <c>writecache_message</c>, <c>writecache_dtr</c>). Owns <c>flush_on_suspend</c>.
/// </summary>
internal sealed class Control(CacheCore core, Freelist freelist, CommitProtocol commit, Writeback writeback, Recovery recovery)
{
    // Suspend and resume one at a time, as device-mapper serializes them: a resume must not rebuild the tables under
    // the writeback pass of a suspend still in progress.
    private readonly AsyncLock _transition = new();
    private bool _flushOnSuspend;

    /// <summary>
    /// Commits, writes everything back if <c>flush_on_suspend</c> was requested (or in cleaner mode), waits for
    /// writeback in flight, and holds new requests until <see cref="ResumeAsync"/>.
    /// </summary>
    public async Task SuspendAsync()
    {
        await _transition.WaitAsync().ConfigureAwait(false);
        try
        {
            await SuspendCoreAsync().ConfigureAwait(false);
        }
        finally
        {
            _transition.Release();
        }
    }

    /// <summary>Resumes a suspended cache: rebuilds its state from the media (as the kernel does) and lets requests through.</summary>
    public async Task ResumeAsync(object owner)
    {
        await _transition.WaitAsync().ConfigureAwait(false);
        try
        {
            await core.Lock.WaitAsync().ConfigureAwait(false);
            try
            {
                ObjectDisposedException.ThrowIf(core.Gate.IsClosed, owner);
                if (core.Gate.IsSuspended)
                {
                    await ResumeCoreAsync(atOpen: false).ConfigureAwait(false);
                }
            }
            finally
            {
                core.Lock.Release();
            }
        }
        finally
        {
            _transition.Release();
        }
    }

    private async Task SuspendCoreAsync()
    {
        bool flushOnSuspend;
        await core.Lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (core.Gate.IsSuspended)
            {
                return;
            }

            StopTimers();
            await commit.CommitAsync().ConfigureAwait(false);
            await commit.FenceSupersededFreesAsync().ConfigureAwait(false); // a suspended cache's media is final
            flushOnSuspend = _flushOnSuspend;
            if (flushOnSuspend)
            {
                _flushOnSuspend = false;
                writeback.BeginWritingEverything();
            }

            core.Gate.Suspend();
        }
        finally
        {
            core.Lock.Release();
        }

        if (flushOnSuspend)
        {
            await writeback.RunPassAsync().ConfigureAwait(false);
        }

        // Drain: a pass the worker had started finishes before the cache counts as suspended, and none starts after.
        await writeback.ParkAsync().ConfigureAwait(false);
        await core.Lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (flushOnSuspend)
            {
                writeback.EndWritingEverything();
            }

            while (freelist.WritebackSize > 0)
            {
                await freelist.WaitIgnoringSuspendAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            core.Lock.Release();
        }
    }

    /// <summary>Rebuilds state from the media, restarts the timers and lets requests in. Called with the lock held (or before the cache is shared).</summary>
    /// <param name="atOpen">Corrupt or unreadable metadata throws (at open) instead of entering the error state.</param>
    public async ValueTask ResumeCoreAsync(bool atOpen)
    {
        await recovery.RecoverAsync(atOpen).ConfigureAwait(false);
        commit.UncommittedBlocks = 0;
        writeback.Unpark();
        core.Gate.Resume();
        freelist.VerifyWatermark();
        writeback.StartMaxAgeTimer();
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

        await core.Lock.WaitAsync().ConfigureAwait(false);
        try
        {
            switch (name)
            {
                case "flush_on_suspend":
                    _flushOnSuspend = true;
                    break;
                case "cleaner":
                    ActivateCleaner();
                    if (!core.Gate.IsSuspended)
                    {
                        freelist.VerifyWatermark();
                    }

                    break;
                default:
                    core.Stats.Clear();
                    break;
            }
        }
        finally
        {
            core.Lock.Release();
        }
    }

    /// <summary>Cleaner mode: write everything back, send new writes around, and write everything back at suspend.</summary>
    public void ActivateCleaner()
    {
        _flushOnSuspend = true;
        writeback.ActivateCleaner();
    }

    /// <summary>Closes the gate for good: requests waiting for a resume wake up and see the cache is gone.</summary>
    public async Task CloseAsync()
    {
        await core.Lock.WaitAsync().ConfigureAwait(false);
        try
        {
            core.Gate.Close();
        }
        finally
        {
            core.Lock.Release();
        }
    }

    /// <summary>Stops the background work: timers and the writeback worker.</summary>
    public async Task StopBackgroundWorkAsync()
    {
        StopTimers();
        await writeback.DisposeAsync().ConfigureAwait(false);
        await commit.DisposeAsync().ConfigureAwait(false);
    }

    private async Task FlushMessageAsync()
    {
        await core.Lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (core.Gate.IsSuspended)
            {
                throw new WriteCacheMessageException(LinuxErrno.EBUSY, "flush: the cache is suspended");
            }

            if (core.Error.IsSet)
            {
                throw new WriteCacheMessageException(LinuxErrno.EIO, $"flush: the cache is in its error state ({core.Error.Message})");
            }

            await commit.CommitAsync().ConfigureAwait(false);
            writeback.BeginWritingEverything();
        }
        finally
        {
            core.Lock.Release();
        }

        bool ran;
        try
        {
            ran = await writeback.RunPassAsync().ConfigureAwait(false);
        }
        finally
        {
            writeback.EndWritingEverything();
        }

        if (!ran)
        {
            throw new WriteCacheMessageException(LinuxErrno.EBUSY, "flush: the cache was suspended before everything was written back");
        }

        if (core.Error.IsSet)
        {
            throw new WriteCacheMessageException(LinuxErrno.EIO, $"flush: the cache is in its error state ({core.Error.Message})");
        }
    }

    private void StopTimers()
    {
        commit.Autocommit.Disarm();
        writeback.StopMaxAgeTimer();
    }
}
