using System.Net.Sockets;

namespace Pmem.Nbd;

/// <summary>
/// Serialized sends on a stream socket: messages from concurrent requests never interleave on the wire.
/// Callers hand over complete messages (header and payload in one buffer where possible, so one syscall each).
/// </summary>
internal sealed class SocketOutput : IDisposable
{
    private readonly Socket _socket;
    private readonly SemaphoreSlim _lock = new(1, 1);

    public SocketOutput(Socket socket) => _socket = socket;

    /// <summary>Sends <paramref name="message"/> as one uninterrupted unit.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SendAllAsync(message).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The blocking form of <see cref="SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/>.</summary>
    public void Send(ReadOnlySpan<byte> message)
    {
        _lock.Wait();
        try
        {
            while (!message.IsEmpty)
            {
                message = message[_socket.Send(message, SocketFlags.None)..];
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Sends <paramref name="header"/> then <paramref name="payload"/> with nothing from other senders between them.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> header, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SendAllAsync(header).ConfigureAwait(false);
            await SendAllAsync(payload).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose() => _lock.Dispose();

    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> data)
    {
        // No cancellation once a message has started: a half-sent message would desynchronize the peer.
        while (!data.IsEmpty)
        {
            int n = await _socket.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
            data = data[n..];
        }
    }
}
