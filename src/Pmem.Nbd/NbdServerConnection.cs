using System.Buffers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Pmem.BlockDevices;
using Pmem.Nbd.Protocol;

namespace Pmem.Nbd;

/// <summary>
/// One client connection: negotiation, then the transmission loop. A single loop reads requests (and write payloads)
/// in order; each request then runs on its own and replies when done, so replies may leave out of order. A request
/// runs inline on the reading loop until its device I/O actually waits, which keeps a synchronous device (memory,
/// page-cache hits) at one hop per request, while slow I/O lets the loop read the next requests.
/// </summary>
#pragma warning disable CA1001 // Its disposables are released in Close(), which every RunAsync ends with.
internal sealed class NbdServerConnection
#pragma warning restore CA1001
{
    private readonly Socket _socket;
    private readonly NbdServerOptions _options;
    private readonly IReadOnlyDictionary<string, NbdExport> _exports;
    private readonly ILogger _logger;
    private readonly SocketInput _input;
    private readonly SocketOutput _output;
    private readonly InFlightBudget _budget;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private NbdSession _session = null!;
    private volatile bool _stopping;
    private volatile bool _replyFailed;

    public NbdServerConnection(Socket socket, long id, NbdServerOptions options, IReadOnlyDictionary<string, NbdExport> exports, ILogger logger)
    {
        _socket = socket;
        _options = options;
        _exports = exports;
        _logger = logger;
        _input = new SocketInput(socket);
        _output = new SocketOutput(socket);
        _budget = new InFlightBudget(options.MaxInFlightRequestsPerConnection, options.MaxInFlightBytesPerConnection);
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
    }

    /// <summary>Serves the connection until the client leaves, breaks the protocol, or the server stops.</summary>
    /// <param name="closePermission">When stopping, sockets stay open until this completes (after the drained hook).</param>
    public async Task RunAsync(Task closePermission)
    {
        try
        {
            NbdSession? session;
            using (var handshakeTimeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                handshakeTimeout.CancelAfter(_options.HandshakeTimeout);
                try
                {
                    session = await new NbdServerHandshake(_input, _output, _options, _exports, _logger, Peer)
                        .RunAsync(handshakeTimeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
                {
                    throw new NbdProtocolException($"Negotiation did not finish within {_options.HandshakeTimeout}.");
                }
            }

            if (session is not null)
            {
                _session = session;
                _logger.LogInformation("NBD client {Peer} attached to export {Export} (structured replies: {Structured}).", Peer, session.Export, session.StructuredReplies);
                await TransmitAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping)
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
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // The peer is already gone.
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Dispose();
        _output.Dispose();
        _stop.Dispose();
        _logger.LogDebug("NBD connection {Peer} closed.", Peer);
    }

    private async Task TransmitAsync()
    {
        byte[] headerBytes = new byte[NbdRequestHeader.Size];
        CancellationToken stop = _stop.Token;
        while (!_replyFailed)
        {
            if (!await _input.TryReadExactlyAsync(headerBytes, stop).ConfigureAwait(false))
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

                    await _input.SkipAsync(request.Length, stop).ConfigureAwait(false);
                    await _budget.AcquireAsync(0, stop).ConfigureAwait(false);
                    _ = RejectAsync(request, NbdErrno.EINVAL, $"Write of {request.Length} bytes exceeds the maximum payload of {_options.MaxPayloadSize} bytes.");
                    break;

                case NbdCommand.Write:
                    await _budget.AcquireAsync(request.Length, stop).ConfigureAwait(false);
                    byte[] payload = ArrayPool<byte>.Shared.Rent((int)request.Length);
                    try
                    {
                        // A payload cut short throws here: the write is never applied.
                        await _input.ReadExactlyAsync(payload.AsMemory(0, (int)request.Length), stop).ConfigureAwait(false);
                    }
                    catch
                    {
                        ArrayPool<byte>.Shared.Return(payload);
                        _budget.Release(request.Length);
                        throw;
                    }

                    _ = ExecuteAsync(request, payload, request.Length);
                    break;

                default:
                    long bytes = request.Command == NbdCommand.Read && request.Length <= (uint)_options.MaxPayloadSize
                        ? request.Length + NbdReplyFormat.ReadHeadroom
                        : 0;
                    await _budget.AcquireAsync(bytes, stop).ConfigureAwait(false);
                    _ = ExecuteAsync(request, null, bytes);
                    break;
            }
        }
    }

    /// <summary>Runs one request and replies; never throws. Releases the request's budget and payload when done.</summary>
    private async Task ExecuteAsync(NbdRequestHeader request, byte[]? payload, long budgetBytes)
    {
        byte[]? readBuffer = null;
        try
        {
            (NbdErrno error, string? reason) = Validate(request);
            if (error != NbdErrno.None)
            {
                _logger.LogWarning("NBD client {Peer}: rejected {Command} at {Offset} of {Length} bytes (flags 0x{Flags:x}) with {Errno}: {Reason}",
                    Peer, request.Command, request.Offset, request.Length, (ushort)request.Flags, error, reason);
                await SendErrorAsync(request, error, reason!).ConfigureAwait(false);
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
                            await SendSuccessAsync(request).ConfigureAwait(false);
                            return;
                        }

                        readBuffer = ArrayPool<byte>.Shared.Rent(NbdReplyFormat.ReadHeadroom + length);
                        await device.ReadAsync(offset, readBuffer.AsMemory(NbdReplyFormat.ReadHeadroom, length)).ConfigureAwait(false);
                        await SendAsync(NbdReplyFormat.FrameReadData(readBuffer, length, request.Cookie, request.Offset, _session.StructuredReplies)).ConfigureAwait(false);
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
                await SendErrorAsync(request, errno, e.Message).ConfigureAwait(false);
                return;
            }
            catch (OutOfMemoryException e)
            {
                _logger.LogWarning("NBD client {Peer}: {Command} at {Offset} of {Length} bytes ran out of memory.", Peer, request.Command, request.Offset, request.Length);
                await SendErrorAsync(request, NbdErrno.ENOMEM, e.Message).ConfigureAwait(false);
                return;
            }
#pragma warning disable CA1031 // Any device failure becomes EIO for this request; the connection carries on.
            catch (Exception e) when (e is not SocketException)
#pragma warning restore CA1031
            {
                _logger.LogError(e, "NBD client {Peer}: {Command} at {Offset} of {Length} bytes failed unexpectedly.", Peer, request.Command, request.Offset, request.Length);
                await SendErrorAsync(request, NbdErrno.EIO, e.Message).ConfigureAwait(false);
                return;
            }

            await SendSuccessAsync(request).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A reply that cannot be sent means the client is gone; the reading loop notices and ends.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _replyFailed = true;
            _logger.LogDebug("NBD client {Peer}: reply to {Command} not sent: {Reason}", Peer, request.Command, e.Message);
        }
        finally
        {
            if (payload is not null)
            {
                ArrayPool<byte>.Shared.Return(payload);
            }

            if (readBuffer is not null)
            {
                ArrayPool<byte>.Shared.Return(readBuffer);
            }

            _budget.Release(budgetBytes);
        }
    }

    /// <summary>Replies with an error to a request refused before it reached the device; never throws.</summary>
    private async Task RejectAsync(NbdRequestHeader request, NbdErrno error, string reason)
    {
        try
        {
            _logger.LogWarning("NBD client {Peer}: rejected {Command} at {Offset} of {Length} bytes with {Errno}: {Reason}",
                Peer, request.Command, request.Offset, request.Length, error, reason);
            await SendErrorAsync(request, error, reason).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // See ExecuteAsync.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _replyFailed = true;
            _logger.LogDebug("NBD client {Peer}: reply to {Command} not sent: {Reason}", Peer, request.Command, e.Message);
        }
        finally
        {
            _budget.Release(0);
        }
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

    private ValueTask SendSuccessAsync(NbdRequestHeader request)
    {
        if (request.Command == NbdCommand.Read && _session.StructuredReplies)
        {
            return SendAsync(NbdReplyFormat.StructuredNone(request.Cookie));
        }

        byte[] reply = new byte[NbdReplyFormat.SimpleHeaderSize];
        NbdReplyFormat.WriteSimple(reply, NbdErrno.None, request.Cookie);
        return SendAsync(reply);
    }

    private ValueTask SendErrorAsync(NbdRequestHeader request, NbdErrno error, string message)
    {
        if (_session.StructuredReplies)
        {
            return SendAsync(NbdReplyFormat.StructuredError(request.Cookie, error, message));
        }

        byte[] reply = new byte[NbdReplyFormat.SimpleHeaderSize];
        NbdReplyFormat.WriteSimple(reply, error, request.Cookie);
        return SendAsync(reply);
    }

    private ValueTask SendAsync(ReadOnlyMemory<byte> reply) => _output.SendAsync(reply);
}
