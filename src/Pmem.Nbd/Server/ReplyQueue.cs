using System.Buffers;
using System.Net.Sockets;

namespace Pmem.Nbd.Server;

/// <summary>
/// The transmission phase's way out: replies of finished requests are queued here and sent in as few <c>send</c>
/// calls as possible, the way nbdkit corks its socket. While the connection's reading thread still has requests
/// buffered it keeps the queue <em>corked</em> and replies only collect; the thread uncorks before it would wait (for
/// the socket, for the in-flight budget, at the end), and one sender then writes everything queued in one call. A reply
/// that finishes while the queue is uncorked (device I/O that completed later) makes its own thread the sender. At
/// most one sender runs at a time, so replies never interleave, and nobody else waits for it.
/// </summary>
/// <remarks>
/// Sends block (the socket stays in blocking mode, see <see cref="SocketInput"/>). They return at once unless the
/// client stops reading replies; then the one sender waits, everyone else only queues, and the reading thread stops
/// when the budget runs out.
/// </remarks>
/// <para>
/// A request's share of the <see cref="InFlightBudget"/> is returned only once its reply has left (or can no longer
/// leave): queued replies count as in flight, so a client that stops reading replies stops the server reading requests
/// instead of making it buffer without limit.
/// </para>
internal sealed class ReplyQueue : IDisposable
{
    /// <summary>Replies up to this size are copied into the queue's chunks; larger ones are queued as they are.</summary>
    internal const int CopyLimit = 64 * 1024;

    private const int ChunkSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly InFlightBudget _budget;
    private readonly object _gate = new();

    // What waits to be sent, in order, and the pooled arrays to return once it has been.
    private List<ArraySegment<byte>> _queued = [];
    private List<byte[]> _queuedArrays = [];
    private List<ArraySegment<byte>> _sending = [];
    private List<byte[]> _sendingArrays = [];
    private int _queuedRequests;
    private long _queuedBudgetBytes;

    // The chunk small replies are copied into (the last of _queuedArrays), and how much of it is used.
    private byte[]? _chunk;
    private int _chunkUsed;

    private bool _corked;
    private bool _senderRunning;
    private bool _failed;

    public ReplyQueue(Socket socket, InFlightBudget budget)
    {
        _socket = socket;
        _budget = budget;
    }

    /// <summary>A send failed: the client is gone, so later replies are dropped (their budget still returned).</summary>
    public bool Failed => Volatile.Read(ref _failed);

    /// <summary>Why the first failed send failed, for the log.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>
    /// Queues one request's reply, <paramref name="header"/> then <paramref name="payload"/>, copied, and returns
    /// <paramref name="budgetBytes"/> of the budget once it is sent. Never throws for a lost client.
    /// </summary>
    public void Add(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, long budgetBytes)
    {
        bool startSender;
        lock (_gate)
        {
            if (_failed)
            {
                _budget.Release(1, budgetBytes);
                return;
            }

            Copy(header);
            Copy(payload);
            startSender = Count(budgetBytes);
        }

        if (startSender)
        {
            SendQueued();
        }
    }

    /// <summary>
    /// Queues one request's reply that lies in <paramref name="owned"/> (rented from <see cref="ArrayPool{T}.Shared"/>)
    /// without copying it; the array goes back to the pool once sent. Small replies are copied and the array returned
    /// at once.
    /// </summary>
    public void Add(byte[] owned, int start, int length, long budgetBytes)
    {
        if (length <= CopyLimit)
        {
            Add(owned.AsSpan(start, length), ReadOnlySpan<byte>.Empty, budgetBytes);
            ArrayPool<byte>.Shared.Return(owned);
            return;
        }

        bool startSender;
        lock (_gate)
        {
            if (_failed)
            {
                _budget.Release(1, budgetBytes);
                ArrayPool<byte>.Shared.Return(owned);
                return;
            }

            _queued.Add(new ArraySegment<byte>(owned, start, length));
            _queuedArrays.Add(owned);
            _chunk = null; // later small replies start a new chunk, so segments stay in reply order
            startSender = Count(budgetBytes);
        }

        if (startSender)
        {
            SendQueued();
        }
    }

    /// <summary>Replies only collect until <see cref="Uncork"/> (the reading loop has more requests at hand).</summary>
    public void Cork()
    {
        lock (_gate)
        {
            _corked = true;
        }
    }

    /// <summary>
    /// Lets the queue send: sends what collected (on this thread, unless a sender is already running, which then sends
    /// it) and lets later replies go out as they come. Returns once this call's own sending is done.
    /// </summary>
    public void Uncork()
    {
        lock (_gate)
        {
            _corked = false;
            if (_senderRunning || _queuedRequests == 0 || _failed)
            {
                return;
            }

            _senderRunning = true;
        }

        SendQueued();
    }

    /// <summary>Returns the pooled arrays of replies that were never sent (after the connection closed).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _failed = true;
            ReturnAll(_queuedArrays);
            _queued.Clear();
            _chunk = null;
        }
    }

    // Under _gate. Counts a queued reply; true when the caller must start the sender.
    private bool Count(long budgetBytes)
    {
        _queuedRequests++;
        _queuedBudgetBytes += budgetBytes;
        if (_corked || _senderRunning)
        {
            return false;
        }

        _senderRunning = true;
        return true;
    }

    // Under _gate. Appends to the current chunk, extending its last segment when contiguous.
    private void Copy(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_chunk is null || _chunkUsed == _chunk.Length)
            {
                _chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
                _chunkUsed = 0;
                _queuedArrays.Add(_chunk);
                _queued.Add(new ArraySegment<byte>(_chunk, 0, 0));
            }

            int n = Math.Min(bytes.Length, _chunk.Length - _chunkUsed);
            bytes[..n].CopyTo(_chunk.AsSpan(_chunkUsed));
            ArraySegment<byte> last = _queued[^1];
            _queued[^1] = new ArraySegment<byte>(_chunk, last.Offset, last.Count + n);
            _chunkUsed += n;
            bytes = bytes[n..];
        }
    }

    // The one running sender: takes everything queued, sends it in one call, returns its budget, until nothing is left.
    // Never throws.
    private void SendQueued()
    {
        while (true)
        {
            int requests;
            long budgetBytes;
            lock (_gate)
            {
                if (_queuedRequests == 0 || _failed)
                {
                    _senderRunning = false;
                    return;
                }

                (_queued, _sending) = (_sending, _queued);
                (_queuedArrays, _sendingArrays) = (_sendingArrays, _queuedArrays);
                requests = _queuedRequests;
                budgetBytes = _queuedBudgetBytes;
                _queuedRequests = 0;
                _queuedBudgetBytes = 0;
                _chunk = null;
            }

            try
            {
                SendAll(_sending);
            }
#pragma warning disable CA1031 // A failed send means the client is gone: the reading loop sees Failed and ends.
            catch (Exception e)
#pragma warning restore CA1031
            {
                FailQueued(e);
            }
            finally
            {
                _sending.Clear();
                ReturnAll(_sendingArrays);
                _budget.Release(requests, budgetBytes);
            }
        }
    }

    // Under no lock: only the running sender touches _sending.
    private void SendAll(List<ArraySegment<byte>> segments)
    {
        if (segments.Count == 1)
        {
            ReadOnlySpan<byte> data = segments[0];
            while (!data.IsEmpty)
            {
                data = data[_socket.Send(data, SocketFlags.None)..];
            }

            return;
        }

        // One sendmsg for all of them; on a short send, drop what went out and go on with the rest.
        while (segments.Count > 0)
        {
            int sent = _socket.Send(segments, SocketFlags.None);
            int whole = 0;
            while (whole < segments.Count && sent >= segments[whole].Count)
            {
                sent -= segments[whole].Count;
                whole++;
            }

            segments.RemoveRange(0, whole);
            if (sent > 0)
            {
                segments[0] = segments[0][sent..];
            }
        }
    }

    private void FailQueued(Exception e)
    {
        int requests;
        long budgetBytes;
        lock (_gate)
        {
            if (!_failed)
            {
                Failure = e;
                Volatile.Write(ref _failed, true);
            }

            requests = _queuedRequests;
            budgetBytes = _queuedBudgetBytes;
            _queuedRequests = 0;
            _queuedBudgetBytes = 0;
            _queued.Clear();
            ReturnAll(_queuedArrays);
            _chunk = null;
        }

        _budget.Release(requests, budgetBytes);
    }

    private static void ReturnAll(List<byte[]> arrays)
    {
        foreach (byte[] array in arrays)
        {
            ArrayPool<byte>.Shared.Return(array);
        }

        arrays.Clear();
    }
}
