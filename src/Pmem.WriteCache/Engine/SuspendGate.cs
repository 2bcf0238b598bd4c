namespace Pmem.WriteCache.Engine;

/// <summary>
/// Whether requests may enter: a suspended cache holds them until it is resumed (the kernel queues I/O while a
/// device is suspended), a closed one refuses them. Guarded by the cache's lock.
/// </summary>
internal sealed class SuspendGate
{
    private readonly AsyncLock _lock;
    private readonly object _owner;
    private TaskCompletionSource _resumed = NewSignal();

    /// <param name="cacheLock">The cache's lock, which <see cref="EnterAsync"/> takes.</param>
    /// <param name="owner">The cache, named when a request finds it closed.</param>
    public SuspendGate(AsyncLock cacheLock, object owner)
    {
        _lock = cacheLock;
        _owner = owner;
    }

    /// <summary>Whether the cache is suspended; it starts suspended and opens at the end of its first resume.</summary>
    public bool IsSuspended { get; private set; } = true;

    /// <summary>Whether the cache has been closed.</summary>
    public bool IsClosed { get; private set; }

    /// <summary>A signal completed asynchronously, so whoever completes it under the lock does not run its waiters.</summary>
    public static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Takes the lock, waiting first for a suspended cache to be resumed.</summary>
    /// <exception cref="ObjectDisposedException">The cache was closed while the request waited.</exception>
    public async ValueTask EnterAsync()
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        while (IsSuspended)
        {
            ObjectDisposedException.ThrowIf(IsClosed, _owner);
            Task resumed = _resumed.Task;
            _lock.Release();
            await resumed.ConfigureAwait(false);
            await _lock.WaitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Holds new requests at <see cref="EnterAsync"/>. Called with the lock held.</summary>
    public void Suspend() => IsSuspended = true;

    /// <summary>Lets the held requests in. Called with the lock held.</summary>
    public void Resume()
    {
        IsSuspended = false;
        TaskCompletionSource resumed = _resumed;
        _resumed = NewSignal();
        resumed.TrySetResult();
    }

    /// <summary>Closes the cache: held requests wake up and see it is gone. Called with the lock held.</summary>
    public void Close()
    {
        IsClosed = true;
        _resumed.TrySetResult();
    }
}
