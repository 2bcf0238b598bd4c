namespace Pmem.WriteCache.Engine;

/// <summary>
/// The cache's lock (the kernel's <c>wc-&gt;lock</c>): a mutex that asynchronous code can wait for. Taking and
/// releasing it uncontended is one compare-exchange each, where <see cref="SemaphoreSlim"/> enters a monitor in
/// both and allocates an async path around it; a pmem-mode write takes it once, so that difference is a measurable
/// share of the write. Waiters are served in arrival order and the lock passes straight to the first of them, so a
/// request arriving later cannot overtake one that waits.
/// </summary>
internal sealed class AsyncLock
{
    private const int Held = 1;
    private const int OneWaiter = 2;

    private readonly Lock _gate = new();
    private readonly Queue<TaskCompletionSource> _waiters = new();

    // Bit 0: held. The rest: waiters × 2. Waiters are only counted while the lock is held (a release with waiters
    // hands it over instead of freeing it), so the state is 0, Held, or Held plus waiters.
    private int _state;

    /// <summary>How many wait for the lock (a test hook: a waiter is known to be queued, not merely started).</summary>
    public int WaiterCount => Volatile.Read(ref _state) / OneWaiter;

    /// <summary>Takes the lock, waiting asynchronously if it is held.</summary>
    /// <returns>A task that completes when the caller holds the lock.</returns>
    public ValueTask WaitAsync() =>
        Interlocked.CompareExchange(ref _state, Held, 0) == 0 ? ValueTask.CompletedTask : new ValueTask(Enqueue());

    /// <summary>Takes the lock, blocking the thread if it is held (for the synchronous status call).</summary>
    public void Wait()
    {
        ValueTask taken = WaitAsync();
        if (!taken.IsCompleted)
        {
            taken.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Releases the lock, handing it to the longest waiter if there is one.</summary>
    public void Release()
    {
        if (Interlocked.CompareExchange(ref _state, 0, Held) == Held)
        {
            return;
        }

        TaskCompletionSource next;
        lock (_gate)
        {
            // A waiter counts itself and queues under the gate, so once the count was seen it is queued by now.
            next = _waiters.Dequeue();
            Interlocked.Add(ref _state, -OneWaiter);
        }

        next.SetResult();
    }

    private Task Enqueue()
    {
        lock (_gate)
        {
            while (true)
            {
                int state = Volatile.Read(ref _state);
                if ((state & Held) == 0)
                {
                    if (Interlocked.CompareExchange(ref _state, Held, 0) == 0)
                    {
                        return Task.CompletedTask;
                    }

                    continue;
                }

                if (Interlocked.CompareExchange(ref _state, state + OneWaiter, state) == state)
                {
                    // Continuations run on the thread pool, not inside the releaser's Release.
                    var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _waiters.Enqueue(waiter);
                    return waiter.Task;
                }
            }
        }
    }
}
