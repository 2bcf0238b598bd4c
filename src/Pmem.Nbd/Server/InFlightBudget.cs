namespace Pmem.Nbd.Server;

/// <summary>
/// Bounds one connection's requests in flight, by count and by buffered bytes, so a client that pipelines faster
/// than the device completes cannot make the server buffer without limit. The connection's reading loop is the only
/// acquirer; completions release from any thread.
/// </summary>
internal sealed class InFlightBudget
{
    private readonly int _maxRequests;
    private readonly long _maxBytes;
    private readonly object _gate = new();
    private int _requests;
    private long _bytes;
    private TaskCompletionSource? _released;

    public InFlightBudget(int maxRequests, long maxBytes)
    {
        _maxRequests = maxRequests;
        _maxBytes = maxBytes;
    }

    public int Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests;
            }
        }
    }

    /// <summary>Takes one more request of <paramref name="bytes"/> buffered bytes if it fits now.</summary>
    /// <remarks>A request larger than the whole byte budget still runs, alone, so it cannot wait forever.</remarks>
    public bool TryAcquire(long bytes)
    {
        lock (_gate)
        {
            return TryAcquireLocked(bytes);
        }
    }

    /// <summary>Blocks until one more request of <paramref name="bytes"/> buffered bytes fits, then takes it.</summary>
    /// <remarks>A request larger than the whole byte budget still runs, alone, so it cannot wait forever.</remarks>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public void Acquire(long bytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (TryAcquireLocked(bytes))
                {
                    return;
                }

                _released ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _released.Task;
            }

            wait.Wait(cancellationToken);
        }
    }

    /// <summary>Returns what <see cref="Acquire"/> took for one request.</summary>
    public void Release(long bytes) => Release(1, bytes);

    /// <summary>Returns what <see cref="Acquire"/> took for <paramref name="requests"/> requests of <paramref name="bytes"/> bytes in all.</summary>
    public void Release(int requests, long bytes)
    {
        if (requests == 0)
        {
            return;
        }

        TaskCompletionSource? wake;
        lock (_gate)
        {
            _requests -= requests;
            _bytes -= bytes;
            wake = _released;
            _released = null;
        }

        wake?.TrySetResult();
    }

    private bool TryAcquireLocked(long bytes)
    {
        bool fits = _requests < _maxRequests && (_bytes + bytes <= _maxBytes || _requests == 0);
        if (fits)
        {
            _requests++;
            _bytes += bytes;
        }

        return fits;
    }

    /// <summary>Completes when no request is in flight (used when draining).</summary>
    public async Task WaitIdleAsync()
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_requests == 0)
                {
                    return;
                }

                _released ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _released.Task;
            }

            await wait.ConfigureAwait(false);
        }
    }
}
