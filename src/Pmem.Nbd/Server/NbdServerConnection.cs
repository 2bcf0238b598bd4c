using System.Buffers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Pmem.BlockDevices;
using Pmem.Nbd.Protocol;

namespace Pmem.Nbd.Server;

/// <summary>
/// One client connection: negotiation, then the transmission loop, on a thread of its own with blocking socket calls.
/// A single loop reads requests (and write payloads)
/// in order; each request then runs on its own and replies when done, so replies may leave out of order. A request
/// runs inline on the reading loop until its device I/O actually waits, which keeps a synchronous device (memory,
/// page-cache hits) free of thread hops, while slow I/O lets the loop read the next requests. Replies go through a
/// <see cref="ReplyQueue"/>: while the loop still has requests buffered they collect, and leave in one <c>send</c>
/// before the loop next waits.
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
        }
        catch (Exception e) when (_stopping && e is OperationCanceledException or EndOfStreamException or SocketException)
        {
            _logger.LogDebug("NBD connection {Peer}: server stopping, no more requests read.", Peer);
        }
        catch (NbdProtocolException e)
        {
            _logger.LogWarning("NBD client {Peer} broke the protocol: {Reason} Disconnecting.", Peer, e.Message);
        }
        catch (EndOfStreamException e)
        {
            _logger.LogWarning("NBD client {Peer} disconnected in the middle of a message (nothing from it was applied): {Reason}", Peer, e.Message);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            _logger.LogInformation("NBD connection {Peer} failed: {Reason}", Peer, e.Message);
        }
#pragma warning disable CA1031 // A connection must never take the server down, whatever it hits.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.LogError(e, "NBD connection {Peer} hit an unexpected error; disconnecting.", Peer);
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
        _logger.LogDebug("NBD connection {Peer} closed.", Peer);
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
            _logger.LogInformation("NBD client {Peer} attached to export {Export} (structured replies: {Structured}).", Peer, session.Export, session.StructuredReplies);
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
        byte[] headerBytes = new byte[NbdRequestHeader.Size];
        CancellationToken stop = _stop.Token;
        try
        {
            while (!_replies.Failed && !_stopping)
            {
                UncorkIfInputShort(NbdRequestHeader.Size);
                if (!_input.TryReadExactly(headerBytes))
                {
                    _logger.LogDebug("NBD client {Peer} closed the connection.", Peer);
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
                        _logger.LogDebug("NBD client {Peer} sent NBD_CMD_DISC.", Peer);
                        return;

                    case NbdCommand.Write when request.Length > (uint)_options.MaxPayloadSize:
                        if (request.Length > _options.MaxSkippedPayload)
                        {
                            throw new NbdProtocolException($"Write of {request.Length} bytes exceeds the maximum payload ({_options.MaxPayloadSize}) by too much to skip.");
                        }

                        Uncork();
                        _input.Skip(request.Length);
                        Acquire(0, stop);
                        Cork();
                        Reject(request, NbdErrno.EINVAL, $"Write of {request.Length} bytes exceeds the maximum payload of {_options.MaxPayloadSize} bytes.");
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
                _logger.LogDebug("NBD client {Peer}: replies could not be sent: {Reason}", Peer, failure.Message);
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
            Uncork();
            _budget.Acquire(bytes, stop);
        }
    }

    /// <summary>
    /// Runs one request and queues its reply; never throws. The reply's queueing hands the request's budget (and a
    /// read's buffer) to the <see cref="ReplyQueue"/>; a write's payload goes back to the pool here.
    /// </summary>
    private async Task ExecuteAsync(NbdRequestHeader request, byte[]? payload, long budgetBytes)
    {
        bool replied = false;
        try
        {
            (NbdErrno error, string? reason) = Validate(request);
            if (error != NbdErrno.None)
            {
                _logger.LogWarning("NBD client {Peer}: rejected {Command} at {Offset} of {Length} bytes (flags 0x{Flags:x}) with {Errno}: {Reason}",
                    Peer, request.Command, request.Offset, request.Length, (ushort)request.Flags, error, reason);
                ReplyError(request, error, reason!, budgetBytes);
                replied = true;
                return;
            }

            IBlockDevice device = _session.Export.Device;
            long offset = (long)request.Offset;
            int length = (int)Math.Min(request.Length, int.MaxValue);
            BlockWriteFlags fua = (request.Flags & NbdCommandFlags.ForceUnitAccess) != 0 ? BlockWriteFlags.ForceUnitAccess : BlockWriteFlags.None;
            try
            {
                switch (request.Command)
                {
                    case NbdCommand.Read:
                        if (length == 0)
                        {
                            break;
                        }

                        byte[] readBuffer = ArrayPool<byte>.Shared.Rent(NbdReplyFormat.ReadHeadroom + length);
                        try
                        {
                            await device.ReadAsync(offset, readBuffer.AsMemory(NbdReplyFormat.ReadHeadroom, length)).ConfigureAwait(false);
                        }
                        catch
                        {
                            ArrayPool<byte>.Shared.Return(readBuffer);
                            throw;
                        }

                        ArraySegment<byte> reply = NbdReplyFormat.FrameReadData(readBuffer, length, request.Cookie, request.Offset, _session.StructuredReplies);
                        _replies.Add(readBuffer, reply.Offset, reply.Count, budgetBytes);
                        replied = true;
                        return;

                    case NbdCommand.Write:
                        if (length > 0)
                        {
                            await device.WriteAsync(offset, payload.AsMemory(0, length), fua).ConfigureAwait(false);
                        }

                        break;

                    case NbdCommand.Flush:
                        await device.FlushAsync().ConfigureAwait(false);
                        break;

                    case NbdCommand.Trim:
                        if (request.Length > 0)
                        {
                            await device.DiscardAsync(offset, request.Length).ConfigureAwait(false);
                            if (fua != BlockWriteFlags.None)
                            {
                                await device.FlushAsync().ConfigureAwait(false);
                            }
                        }

                        break;

                    case NbdCommand.WriteZeroes:
                        if (request.Length > 0)
                        {
                            BlockWriteFlags noHole = (request.Flags & NbdCommandFlags.NoHole) != 0 ? BlockWriteFlags.NoHole : BlockWriteFlags.None;
                            await device.WriteZeroesAsync(offset, request.Length, fua | noHole).ConfigureAwait(false);
                        }

                        break;
                }
            }
            catch (BlockDeviceException e)
            {
                NbdErrno errno = NbdErrorMapping.ToErrno(e.Error);
                _logger.LogWarning("NBD client {Peer}: {Command} at {Offset} of {Length} bytes failed with {Errno}: {Reason}",
                    Peer, request.Command, request.Offset, request.Length, errno, e.Message);
                ReplyError(request, errno, e.Message, budgetBytes);
                replied = true;
                return;
            }
            catch (OutOfMemoryException e)
            {
                _logger.LogWarning("NBD client {Peer}: {Command} at {Offset} of {Length} bytes ran out of memory.", Peer, request.Command, request.Offset, request.Length);
                ReplyError(request, NbdErrno.ENOMEM, e.Message, budgetBytes);
                replied = true;
                return;
            }
#pragma warning disable CA1031 // Any device failure becomes EIO for this request; the connection carries on.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _logger.LogError(e, "NBD client {Peer}: {Command} at {Offset} of {Length} bytes failed unexpectedly.", Peer, request.Command, request.Offset, request.Length);
                ReplyError(request, NbdErrno.EIO, "Internal server error.", budgetBytes);
                replied = true;
                return;
            }

            ReplySuccess(request, budgetBytes);
            replied = true;
        }
#pragma warning disable CA1031 // Only a failure to build a reply gets here; the request's budget still comes back.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.LogError(e, "NBD client {Peer}: reply to {Command} could not be queued.", Peer, request.Command);
        }
        finally
        {
            if (payload is not null)
            {
                ArrayPool<byte>.Shared.Return(payload);
            }

            if (!replied)
            {
                _budget.Release(budgetBytes);
            }
        }
    }

    /// <summary>Replies with an error to a request refused before it reached the device.</summary>
    private void Reject(NbdRequestHeader request, NbdErrno error, string reason)
    {
        _logger.LogWarning("NBD client {Peer}: rejected {Command} at {Offset} of {Length} bytes with {Errno}: {Reason}",
            Peer, request.Command, request.Offset, request.Length, error, reason);
        ReplyError(request, error, reason, 0);
    }

    /// <summary>Checks a request against what was negotiated, before any device sees it.</summary>
    private (NbdErrno Error, string? Reason) Validate(NbdRequestHeader request)
    {
        NbdExport export = _session.Export;
        NbdTransmissionFlags advertised = export.TransmissionFlags;
        NbdCommand command = request.Command;
        if (command is not (NbdCommand.Read or NbdCommand.Write or NbdCommand.Flush or NbdCommand.Trim or NbdCommand.WriteZeroes))
        {
            return (NbdErrno.EINVAL, $"Command {(ushort)command} is not supported.");
        }

        NbdCommandFlags allowed = NbdCommandFlags.ForceUnitAccess | (command == NbdCommand.WriteZeroes ? NbdCommandFlags.NoHole : NbdCommandFlags.None);
        if ((request.Flags & ~allowed) != 0)
        {
            return (NbdErrno.EINVAL, $"Command flags 0x{(ushort)request.Flags:x} are not valid for {command}.");
        }

        if (command == NbdCommand.Flush)
        {
            return request.Offset == 0 && request.Length == 0
                ? (NbdErrno.None, null)
                : (NbdErrno.EINVAL, "NBD_CMD_FLUSH must have zero offset and length.");
        }

        bool writes = command is NbdCommand.Write or NbdCommand.Trim or NbdCommand.WriteZeroes;
        if (writes && export.ReadOnly)
        {
            return (NbdErrno.EPERM, "The export is read-only.");
        }

        if (command == NbdCommand.Trim && (advertised & NbdTransmissionFlags.SendTrim) == 0)
        {
            return (NbdErrno.EINVAL, "NBD_CMD_TRIM was not advertised: the device does not support discard.");
        }

        if (command == NbdCommand.Read && request.Length > (uint)_options.MaxPayloadSize)
        {
            return (_session.StructuredReplies ? NbdErrno.EOVERFLOW : NbdErrno.EINVAL,
                $"Read of {request.Length} bytes exceeds the maximum payload of {_options.MaxPayloadSize} bytes.");
        }

        ulong size = (ulong)export.Device.Length;
        if (request.Offset > size || request.Length > size - request.Offset)
        {
            return (command is NbdCommand.Write or NbdCommand.WriteZeroes ? NbdErrno.ENOSPC : NbdErrno.EINVAL,
                $"Range at {request.Offset} of {request.Length} bytes is outside the export ({size} bytes).");
        }

        uint block = (uint)export.MinimumBlockSize;
        if (request.Offset % block != 0 || request.Length % block != 0)
        {
            return (NbdErrno.EINVAL, $"Range at {request.Offset} of {request.Length} bytes is not aligned to the minimum block size ({block} bytes).");
        }

        return (NbdErrno.None, null);
    }

    private void ReplySuccess(NbdRequestHeader request, long budgetBytes)
    {
        if (request.Command == NbdCommand.Read && _session.StructuredReplies)
        {
            Span<byte> chunk = stackalloc byte[NbdReplyFormat.StructuredHeaderSize];
            NbdReplyFormat.WriteStructured(chunk, done: true, NbdStructuredReplyType.None, request.Cookie, 0);
            _replies.Add(chunk, ReadOnlySpan<byte>.Empty, budgetBytes);
            return;
        }

        Span<byte> reply = stackalloc byte[NbdReplyFormat.SimpleHeaderSize];
        NbdReplyFormat.WriteSimple(reply, NbdErrno.None, request.Cookie);
        _replies.Add(reply, ReadOnlySpan<byte>.Empty, budgetBytes);
    }

    private void ReplyError(NbdRequestHeader request, NbdErrno error, string message, long budgetBytes)
    {
        if (_session.StructuredReplies)
        {
            _replies.Add(NbdReplyFormat.StructuredError(request.Cookie, error, message), ReadOnlySpan<byte>.Empty, budgetBytes);
            return;
        }

        Span<byte> reply = stackalloc byte[NbdReplyFormat.SimpleHeaderSize];
        NbdReplyFormat.WriteSimple(reply, error, request.Cookie);
        _replies.Add(reply, ReadOnlySpan<byte>.Empty, budgetBytes);
    }
}
