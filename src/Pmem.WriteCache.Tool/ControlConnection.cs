using System.Net.Sockets;

namespace Pmem.WriteCache.Tool;

/// <summary>One client of the <see cref="ControlServer"/>: its socket, whether it waits for a request, and a way to close it from outside.</summary>
internal sealed class ControlConnection : IDisposable
{
    private readonly CancellationTokenSource _closed;
    private long _idleSince;

    public ControlConnection(Socket socket, CancellationToken serverStopping)
    {
        Socket = socket;
        _closed = CancellationTokenSource.CreateLinkedTokenSource(serverStopping);
    }

    public Socket Socket { get; }

    /// <summary>Cancelled when the server stops or closes this connection.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>When it started waiting for its next request (<see cref="Environment.TickCount64"/>); 0 while a request is answered.</summary>
    public long IdleSince
    {
        get => Volatile.Read(ref _idleSince);
        set => Volatile.Write(ref _idleSince, value);
    }

    /// <summary>Ends the wait for its next request; the serving loop then disposes it.</summary>
    public void Close() => _closed.Cancel();

    public void Dispose()
    {
        Socket.Dispose();
        _closed.Dispose();
    }
}
