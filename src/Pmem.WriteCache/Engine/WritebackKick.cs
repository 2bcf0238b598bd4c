namespace Pmem.WriteCache.Engine;

/// <summary>
/// Wakes the writeback worker (the kernel's <c>queue_work(wc-&gt;writeback_wq, &amp;wc-&gt;writeback_work)</c>): any
/// number of kicks before the worker wakes make one wake-up.
/// </summary>
internal sealed class WritebackKick : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0);
    private int _pending;

    /// <summary>Asks for a writeback pass.</summary>
    public void Queue()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            _signal.Release();
        }
    }

    /// <summary>Waits for a kick and takes it.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _pending, 0);
    }

    /// <summary>Called once the worker has stopped and nothing kicks any more.</summary>
    public void Dispose() => _signal.Dispose();
}
