using Pmem.BlockDevices;

namespace Pmem.WriteCache.Engine;

/// <summary>
/// The cache's error state (the kernel's <c>wc-&gt;error</c> and <c>writecache_error</c>): the first error wins and
/// stays; writes, flushes and discards then fail with EIO, committed data stays in the cache.
/// </summary>
internal sealed class ErrorState
{
    private int _errno;

    /// <summary>Raised (with the lock held) whenever an error is set: wakes whoever waits for something an error ends, such as writes waiting for a free block.</summary>
    public event Action? Entered;

    /// <summary>0, or the negative errno of the error that stopped the cache.</summary>
    public int Errno => Volatile.Read(ref _errno);

    /// <summary>Whether the cache is in its error state.</summary>
    public bool IsSet => Volatile.Read(ref _errno) != 0;

    /// <summary>Why the cache entered its error state, or <see langword="null"/>.</summary>
    public string? Message { get; private set; }

    /// <summary>Enters the error state unless already in it. Called with the lock held.</summary>
    public void Set(int errno, string message)
    {
        if (Interlocked.CompareExchange(ref _errno, -errno, 0) == 0)
        {
            Message = message;
        }

        Entered?.Invoke();
    }

    /// <summary>What a request refused in the error state fails with.</summary>
    public BlockDeviceException Exception() =>
        new(BlockDeviceError.IoError, $"The writecache is in its error state ({Message}); committed data is kept in the cache.");
}
