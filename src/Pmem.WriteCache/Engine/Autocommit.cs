namespace Pmem.WriteCache.Engine;

/// <summary>
/// The <c>autocommit_time</c> timer: armed by the first write after a commit, it commits that write and whatever
/// followed it if no flush or block count did so first (the kernel's <c>autocommit_timer</c>).
/// </summary>
internal sealed class Autocommit : IAsyncDisposable
{
    private readonly TimeSpan _time;
    private readonly Timer _timer;
    private bool _armed;

    /// <param name="time">The table line's <c>autocommit_time</c>.</param>
    /// <param name="commitInBackground">What the timer runs when it fires.</param>
    public Autocommit(TimeSpan time, Func<Task> commitInBackground)
    {
        _time = time;
        _timer = new Timer(static state => _ = ((Func<Task>)state!)(), commitInBackground, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Arms the timer unless it is armed already. Called with the lock held.</summary>
    public void Schedule()
    {
        if (!_armed)
        {
            _armed = true;
            _timer.Change(_time, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Disarms the timer (a commit happened, or the cache is being suspended). Called with the lock held.</summary>
    public void Disarm()
    {
        if (_armed)
        {
            _armed = false;
            _timer.Change(Timeout.Infinite, Timeout.Infinite);
        }
    }

    public ValueTask DisposeAsync() => _timer.DisposeAsync();
}
