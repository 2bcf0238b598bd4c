namespace Pmem.WriteCache.Engine;

/// <summary>
/// Wakes the writeback worker (the kernel's <c>queue_work(wc-&gt;writeback_wq, &amp;wc-&gt;writeback_work)</c>): any
/// number of kicks before the worker wakes make one wake-up. Also tells when the worker has done all it was asked
/// (<see cref="WhenIdle"/>), so tests can wait for writeback to settle instead of sleeping.
/// </summary>
internal sealed class WritebackKick : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Lock _idleGate = new();
    private TaskCompletionSource _idle = CompletedSignal();
    private int _pending;

    /// <summary>Asks for a writeback pass.</summary>
    public void Queue()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            lock (_idleGate)
            {
                if (_idle.Task.IsCompleted)
                {
                    _idle = SuspendGate.NewSignal();
                }
            }

            _signal.Release();
        }
    }

    /// <summary>Waits for a kick and takes it.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _pending, 0);
    }

    /// <summary>The worker finished a pass: if no kick came meanwhile, it is idle.</summary>
    public void PassDone()
    {
        lock (_idleGate)
        {
            if (Volatile.Read(ref _pending) == 0)
            {
                _idle.TrySetResult();
            }
        }
    }

    /// <summary>Completes when every kick so far has been served by a pass and no new one is pending.</summary>
    public Task WhenIdle()
    {
        lock (_idleGate)
        {
            return _idle.Task;
        }
    }

    /// <summary>Called once the worker has stopped and nothing kicks any more.</summary>
    public void Dispose() => _signal.Dispose();

    private static TaskCompletionSource CompletedSignal()
    {
        TaskCompletionSource signal = SuspendGate.NewSignal();
        signal.SetResult();
        return signal;
    }
}
