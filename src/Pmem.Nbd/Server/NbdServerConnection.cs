using System.Buffers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Pmem.Nbd.Protocol;

namespace Pmem.Nbd.Server;

/// <summary>
/// One client connection (nbdkit's <c>connections.c</c>): its lifecycle on a thread of its own with blocking socket
/// calls (negotiation under a deadline, stop, abort), the single loop that reads requests and write payloads in order,
/// and the in-flight budget that pauses that loop while replies do not leave. Each request then runs on its own through
/// the <see cref="NbdRequestHandler"/> and its one result is replied to in <see cref="Reply"/>, so replies may leave
/// out of order. A request runs inline on the reading loop until its device I/O actually waits, which keeps a
/// synchronous device (memory, page-cache hits) free of thread hops, while slow I/O lets the loop read the next
/// requests. Replies go through a <see cref="ReplyQueue"/>: while the loop still has requests buffered they collect,
/// and leave in one <c>send</c> before the loop next waits.
/// </summary>
#pragma warning disable CA1001 // Its disposables are released in Close(), which every RunAsync ends with.
internal sealed class NbdServerConnection
#pragma warning restore CA1001
{
    private const int Negotiating = 0;
    private const int NegotiationFinished = 1;
    private const int NegotiationTimedOut = 2;

    private readonly Socket _socket;
    private readonly NbdServerOptions _options;
    private readonly IReadOnlyDictionary<string, NbdExport> _exports;
    private readonly ILogger _logger;
    private readonly SocketInput _input;
    private readonly SocketOutput _output;
    private readonly InFlightBudget _budget;
    private readonly ReplyQueue _replies;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private NbdSession _session = null!;
    private NbdRequestHandler _handler = null!;
    private volatile bool _stopping;
    private bool _corked;
    private int _negotiation = Negotiating;

    public NbdServerConnection(Socket socket, long id, NbdServerOptions options, IReadOnlyDictionary<string, NbdExport> exports, ILogger logger)
    {
        _socket = socket;
        _options = options;
        _exports = exports;
        _logger = logger;
        _input = new SocketInput(socket, options.ReceiveSpin);
        _output = new SocketOutput(socket);
        _budget = new InFlightBudget(options.MaxInFlightRequestsPerConnection, options.MaxInFlightBytesPerConnection);
        _replies = new ReplyQueue(socket, _budget);
        Peer = $"#{id}";
    }

    /// <summary>Names the connection in logs.</summary>
    public string Peer { get; }

    /// <summary>Requests read whose reply has not left yet (still at the device, or queued behind a client that does not read).</summary>
    public int RequestsInFlight => _budget.Requests;

    /// <summary>Completes once the connection reads no more requests and every request it read has replied.</summary>
    public Task Drained => _drained.Task;

    /// <summary>Stop reading requests; in-flight ones finish (see <see cref="NbdServer.StopAsync"/>).</summary>
    public void RequestStop()
    {
        _stopping = true;
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }

        // The connection's thread may be blocked in recv: ending the receive side wakes it, and it sees _stopping.
        Shutdown(SocketShutdown.Receive);
    }

    /// <summary>Serves the connection until the client leaves, breaks the protocol, or the server stops.</summary>
    /// <param name="closePermission">When stopping, sockets stay open until this completes (after the drained hook).</param>
    public async Task RunAsync(Task closePermission)
    {
        try
        {
            await RunOnOwnThreadAsync().ConfigureAwait(false);
            if (_stopping)
            {
                Log.StoppedReading(_logger, Peer);
            }
        }
        catch (Exception e) when (_stopping && e is OperationCanceledException or EndOfStreamException or SocketException)
        {
            Log.StoppedReading(_logger, Peer);
        }
        catch (NbdProtocolException e)
        {
            Log.ProtocolBroken(_logger, Peer, e.Message);
        }
        catch (TimeoutException e)
        {
            Log.RequestStalled(_logger, Peer, _options.RequestReadTimeout, e.Message);
        }
        catch (EndOfStreamException e)
        {
            Log.Truncated(_logger, Peer, e.Message);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            Log.ConnectionFailed(_logger, Peer, e.Message);
        }
#pragma warning disable CA1031 // A connection must never take the server down, whatever it hits.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.ConnectionCrashed(_logger, e, Peer);
        }
        finally
        {
            await _budget.WaitIdleAsync().ConfigureAwait(false);
            _drained.TrySetResult();
            if (_stopping)
            {
                await closePermission.ConfigureAwait(false);
            }

            Close();
        }
    }

    /// <summary>Closes the socket at once, failing any reply still being sent (used when a stop is cancelled).</summary>
    public void Abort()
    {
        Shutdown(SocketShutdown.Both);
        try
        {
            _socket.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Close()
    {
        Shutdown(SocketShutdown.Both);
        _socket.Dispose();
        _output.Dispose();
        _replies.Dispose();
        _stop.Dispose();
        Log.Closed(_logger, Peer);
    }

    // Wakes whatever is blocked on the socket in that direction; a no-op once the peer or we closed it.
    private void Shutdown(SocketShutdown how)
    {
        try
        {
            _socket.Shutdown(how);
        }
        catch (SocketException)
        {
            // The peer is already gone.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Negotiation and the transmission loop run on a thread of their own with blocking socket calls: a request then
    /// costs one wake-up of this thread (the kernel's, when data arrives), where asynchronous reads cost the socket
    /// event loop's wake-up plus a thread-pool hand-off, which on a busy 2-core machine halved throughput.
    /// </summary>
    private Task RunOnOwnThreadAsync()
    {
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Serve();
                finished.SetResult();
            }
#pragma warning disable CA1031 // Handed to RunAsync, which sorts the failures out.
            catch (Exception e)
#pragma warning restore CA1031
            {
                finished.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = $"NBD connection {Peer}",
        };
        thread.Start();
        return finished.Task;
    }

    private void Serve()
    {
        NbdSession? session = Negotiate();
        if (session is not null)
        {
            _session = session;
            _handler = new NbdRequestHandler(session, _options.MaxPayloadSize, _logger, Peer);
            Log.Attached(_logger, Peer, session.Export, session.StructuredReplies);
            Transmit();
        }
    }

    // The deadline ends negotiation by shutting the socket down, which wakes the blocked read.
    private NbdSession? Negotiate()
    {
        using var deadline = new Timer(static state => ((NbdServerConnection)state!).OnNegotiationDeadline(), this, _options.HandshakeTimeout, Timeout.InfiniteTimeSpan);
        NbdSession? session;
        try
        {
            session = new NbdServerHandshake(_input, _output, _options, _exports, _logger, Peer).Run();
        }
        catch (Exception e) when (Volatile.Read(ref _negotiation) == NegotiationTimedOut && e is EndOfStreamException or SocketException or IOException)
        {
            throw NegotiationTimeout();
        }

        if (Interlocked.CompareExchange(ref _negotiation, NegotiationFinished, Negotiating) == NegotiationTimedOut)
        {
            throw NegotiationTimeout();
        }

        return session;
    }

    private void OnNegotiationDeadline()
    {
        if (Interlocked.CompareExchange(ref _negotiation, NegotiationTimedOut, Negotiating) == Negotiating)
        {
            Shutdown(SocketShutdown.Both);
        }
    }

    private NbdProtocolException NegotiationTimeout() => new($"Negotiation did not finish within {_options.HandshakeTimeout}.");

    private void Transmit()
    {
        _input.LimitStalls(_options.RequestReadTimeout);
        byte[] headerBytes = new byte[NbdRequestHeader.Size];
        CancellationToken stop = _stop.Token;
        try
        {
            while (!_replies.Failed && !_stopping)
            {
                UncorkIfInputShort(NbdRequestHeader.Size);
                if (!_input.TryReadExactly(headerBytes))
                {
                    // When stopping, it is the server that ended the receive side.
                    if (!_stopping)
                    {
                        Log.ClientLeft(_logger, Peer);
                    }

                    return;
                }

                NbdRequestHeader request = NbdRequestHeader.Read(headerBytes);
                if (request.Magic != NbdMagic.Request)
                {
                    throw new NbdProtocolException($"Request magic 0x{request.Magic:x8} is not NBD_REQUEST_MAGIC.");
                }

                switch (request.Command)
                {
                    case NbdCommand.Disconnect:
                        Log.DisconnectRequested(_logger, Peer);
                        return;

                    case NbdCommand.Write when request.Length > (uint)_options.MaxPayloadSize:
                        if (request.Length > _options.MaxSkippedPayload)
                        {
                            throw new NbdProtocolException($"{NbdRequestHandler.OversizePayload(request.Command, request.Length, _options.MaxPayloadSize)} It is too much to skip.");
                        }

                        // Skipped unread so the connection stays in step; the handler refuses the write.
                        Uncork();
                        _input.Skip(request.Length);
                        Acquire(0, stop);
                        Cork();
                        _ = ExecuteAsync(request, null, 0);
                        break;

                    case NbdCommand.Write:
                        Acquire(request.Length, stop);
                        byte[] payload = ArrayPool<byte>.Shared.Rent((int)request.Length);
                        try
                        {
                            // A payload cut short throws here: the write is never applied.
                            UncorkIfInputShort((int)request.Length);
                            _input.ReadExactly(payload.AsSpan(0, (int)request.Length));
                        }
                        catch
                        {
                            ArrayPool<byte>.Shared.Return(payload);
                            _budget.Release(request.Length);
                            throw;
                        }

                        if (_stopping)
                        {
                            // Read after the stop began (the kernel had it queued): not taken, like a partial one.
                            ArrayPool<byte>.Shared.Return(payload);
                            _budget.Release(request.Length);
                            return;
                        }

                        Cork();
                        _ = ExecuteAsync(request, payload, request.Length);
                        break;

                    default:
                        long bytes = request.Command == NbdCommand.Read && request.Length <= (uint)_options.MaxPayloadSize
                            ? request.Length + NbdReplyFormat.ReadHeadroom
                            : 0;
                        Acquire(bytes, stop);
                        Cork();
                        _ = ExecuteAsync(request, null, bytes);
                        break;
                }
            }
        }
        finally
        {
            // Replies collected so far still go out (requests that finish later send their own).
            Uncork();
            if (_replies.Failure is { } failure)
            {
                Log.RepliesNotSent(_logger, Peer, failure.Message);
            }
        }
    }

    // Replies wait in the queue while the reading thread has requests at hand, and go out in one send before it waits.
    private void Cork()
    {
        if (!_corked)
        {
            _replies.Cork();
            _corked = true;
        }
    }

    private void Uncork()
    {
        if (_corked)
        {
            _corked = false;
            _replies.Uncork();
        }
    }

    private void UncorkIfInputShort(int needed)
    {
        if (_input.BufferedCount < needed)
        {
            Uncork();
        }
    }

    // The budget frees up only as queued replies leave, so they must be let out before waiting for it.
    private void Acquire(long bytes, CancellationToken stop)
    {
        if (!_budget.TryAcquire(bytes))
        {
            Log.ReadingPaused(_logger, Peer, _budget.Requests);
            Uncork();
            _budget.Acquire(bytes, stop);
        }
    }

    /// <summary>
    /// Runs one request through the handler and replies to it; never throws. A write's payload goes back to the pool
    /// here; the reply hands the request's budget (and a read's buffer) to the <see cref="ReplyQueue"/>.
    /// </summary>
    private async Task ExecuteAsync(NbdRequestHeader request, byte[]? payload, long budgetBytes)
    {
        NbdRequestResult result;
        try
        {
            result = await _handler.HandleAsync(request, payload is null ? ReadOnlyMemory<byte>.Empty : payload.AsMemory(0, (int)request.Length)).ConfigureAwait(false);
        }
        finally
        {
            if (payload is not null)
            {
                ArrayPool<byte>.Shared.Return(payload);
            }
        }

        Reply(request, result, budgetBytes);
    }

    /// <summary>
    /// The one place a request is replied to (nbdkit's <c>send_*_reply</c>): read data as one data chunk or after a
    /// simple reply, an error as an error chunk carrying the reason or a simple reply, anything else as a simple reply
    /// (a zero-length read as an empty chunk when structured).
    /// </summary>
    private void Reply(NbdRequestHeader request, NbdRequestResult result, long budgetBytes)
    {
        bool structured = _session.StructuredReplies;
        try
        {
            if (result.ReadBuffer is { } readBuffer)
            {
                ArraySegment<byte> reply = NbdReplyFormat.FrameReadData(readBuffer, result.ReadLength, request.Cookie, request.Offset, structured);
                _replies.Add(readBuffer, reply.Offset, reply.Count, budgetBytes);
            }
            else if (result.Error != NbdErrno.None && structured)
            {
                _replies.Add(NbdReplyFormat.StructuredError(request.Cookie, result.Error, result.Reason!), ReadOnlySpan<byte>.Empty, budgetBytes);
            }
            else if (result.Error == NbdErrno.None && structured && request.Command == NbdCommand.Read)
            {
                Span<byte> chunk = stackalloc byte[NbdReplyFormat.StructuredHeaderSize];
                NbdReplyFormat.WriteStructured(chunk, done: true, NbdStructuredReplyType.None, request.Cookie, 0);
                _replies.Add(chunk, ReadOnlySpan<byte>.Empty, budgetBytes);
            }
            else
            {
                Span<byte> simple = stackalloc byte[NbdReplyFormat.SimpleHeaderSize];
                NbdReplyFormat.WriteSimple(simple, result.Error, request.Cookie);
                _replies.Add(simple, ReadOnlySpan<byte>.Empty, budgetBytes);
            }
        }
#pragma warning disable CA1031 // Only a failure to build a reply gets here; the request's budget still comes back.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.ReplyNotQueued(_logger, e, Peer, request.Command);
            _budget.Release(budgetBytes);
        }
    }
}
