namespace Pmem.WriteCache.Engine;

/// <summary>
/// When writeback runs (the kernel's <c>writeback_work</c>, <c>max_age_timer</c> and <c>pause_writeback</c>): a
/// worker that wakes on a kick — free blocks at the high watermark, the <c>max_age</c> timer, more left by the last
/// pass — waits while request-path writes keep the origin busy, then runs one pass (select, write, complete);
/// passes never overlap. Also writes everything back on demand (<c>flush</c>, <c>flush_on_suspend</c>, cleaner).
/// </summary>
internal sealed class Writeback : IAsyncDisposable
{
    private readonly CacheCore _core;
    private readonly Freelist _freelist;
    private readonly WritebackKick _kick;
    private readonly OriginActivity _originActivity;
    private readonly WritebackSelector _selector;
    private readonly WritebackWriter _writer;
    private readonly Func<bool> _writingEverything;
    private readonly SemaphoreSlim _passGate = new(1, 1);
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Timer _maxAgeTimer;
    private readonly Task _worker;
    private int _writeEverythingRequests;
    private bool _parked = true; // until the first resume, as a cache starts suspended

    public Writeback(CacheCore core, Freelist freelist, CommitProtocol commit, WritebackKick kick, OriginActivity originActivity)
    {
        _core = core;
        _freelist = freelist;
        _kick = kick;
        _originActivity = originActivity;
        _selector = new WritebackSelector(core, freelist, commit);
        _writer = new WritebackWriter(core, freelist, commit);
        _writingEverything = () => Volatile.Read(ref _writeEverythingRequests) > 0;
        _maxAgeTimer = new Timer(static state => ((Writeback)state!).OnMaxAgeTimer(), this, Timeout.Infinite, Timeout.Infinite);
        _worker = Task.Run(WorkerAsync);
    }

    /// <summary>Cleaner mode: everything is written back and new writes go around the cache.</summary>
    public bool Cleaner { get; private set; }

    /// <summary>Turns cleaner mode on: both watermarks at the block count, so writeback never stops. Called with the lock held.</summary>
    public void ActivateCleaner()
    {
        Cleaner = true;
        _freelist.SetWatermarks(_core.Settings.BlockCount, _core.Settings.BlockCount);
    }

    /// <summary>Starts the <c>max_age</c> timer, if there is an age limit (at resume).</summary>
    public void StartMaxAgeTimer()
    {
        long maxAgeMs = _core.Settings.MaxAgeMs;
        if (maxAgeMs >= 0)
        {
            long period = Math.Max(1, maxAgeMs / EngineSettings.MaxAgeDivisor);
            _maxAgeTimer.Change(period, period);
        }
    }

    /// <summary>Stops the <c>max_age</c> timer (at suspend).</summary>
    public void StopMaxAgeTimer() => _maxAgeTimer.Change(Timeout.Infinite, Timeout.Infinite);

    /// <summary>
    /// Writes everything back: passes select in sector order and include uncommitted blocks (committing them) until
    /// <see cref="EndWritingEverything"/>.
    /// </summary>
    public void BeginWritingEverything() => Interlocked.Increment(ref _writeEverythingRequests);

    /// <summary>Ends one <see cref="BeginWritingEverything"/>.</summary>
    public void EndWritingEverything() => Interlocked.Decrement(ref _writeEverythingRequests);

    /// <summary>One pass of writeback, unless writeback is parked (the cache is suspended); passes never overlap.</summary>
    /// <returns>Whether the pass ran (false: parked).</returns>
    public async Task<bool> RunPassAsync()
    {
        await _passGate.WaitAsync().ConfigureAwait(false);
        try
        {
            // The kernel drains its writeback work at suspend and queues none while suspended: a kick taken before
            // the suspend, the end of a pause_writeback sleep or a max_age tick must not start a pass now.
            if (Volatile.Read(ref _parked))
            {
                return false;
            }

            // Writing everything, a pass selects a bounded share at a time (EngineSettings.EverythingPassBlocks), so
            // what it holds stays bounded however much is dirty; it goes on until nothing is left.
            bool more;
            _selector.StartSweep();
            do
            {
                (List<int[]> runs, more) = await _selector.SelectAsync(_writingEverything).ConfigureAwait(false);
                if (runs.Count != 0)
                {
                    await _writer.WriteAsync(runs).ConfigureAwait(false);
                }
            }
            while (more && _writingEverything() && !_core.Error.IsSet);

            if (more)
            {
                _kick.Queue();
            }

            return true;
        }
        finally
        {
            _passGate.Release();
        }
    }

    /// <summary>
    /// Parks writeback at suspend (the kernel's <c>drain_workqueue</c>): waits for a pass already running to finish;
    /// no pass starts after this returns until <see cref="Unpark"/>.
    /// </summary>
    public async Task ParkAsync()
    {
        await _passGate.WaitAsync().ConfigureAwait(false);
        Volatile.Write(ref _parked, true);
        _passGate.Release();
    }

    /// <summary>Lets passes run again (at resume, once the tables are rebuilt).</summary>
    public void Unpark() => Volatile.Write(ref _parked, false);

    /// <summary>Completes once the worker has served every kick so far (a test hook: writeback has settled).</summary>
    public Task WhenIdle() => _kick.WhenIdle();

    /// <summary>Stops the worker and the timer.</summary>
    public async ValueTask DisposeAsync()
    {
        StopMaxAgeTimer();
        await _shutdown.CancelAsync().ConfigureAwait(false);
        await _worker.ConfigureAwait(false);
        await _maxAgeTimer.DisposeAsync().ConfigureAwait(false);
        _kick.Dispose();
    }

    private void OnMaxAgeTimer()
    {
        if (!_core.Gate.IsSuspended && !_core.Error.IsSet)
        {
            _kick.Queue();
        }
    }

    private async Task WorkerAsync()
    {
        while (true)
        {
            try
            {
                await _kick.WaitAsync(_shutdown.Token).ConfigureAwait(false);
                await PauseWhileOriginIsBusyAsync().ConfigureAwait(false);
                await RunPassAsync().ConfigureAwait(false);
                _kick.PassDone();
            }
            catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary><c>pause_writeback</c>: let writes that go to the origin have it to themselves for a while.</summary>
    private async Task PauseWhileOriginIsBusyAsync()
    {
        long pauseMs = _core.Settings.PauseMs;
        while (pauseMs > 0 && !Cleaner && !_writingEverything() && !_core.Gate.IsSuspended)
        {
            long idle = _originActivity.IdleMs;
            if (idle >= pauseMs)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(pauseMs - idle, 1000)), _shutdown.Token).ConfigureAwait(false);
        }
    }
}
