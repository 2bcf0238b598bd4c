using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Pmem.BlockDevices;
using Pmem.Nbd.Protocol;

namespace Pmem.Nbd.Client;

/// <summary>
/// An NBD export used as a block device (for example as the writecache's origin). Requests from concurrent callers
/// are pipelined on one connection and matched to replies by cookie. Only what the server advertises is sent: FUA is
/// emulated with a flush when the server lacks it, write-zeroes with zero-filled writes, and discard is reported as
/// unsupported.
/// </summary>
public sealed class NbdBlockDevice : IBlockDevice
{
    /// <summary>Largest read or write sent in one request even if the server allows more.</summary>
    private const int MaxRequestPayload = 32 * 1024 * 1024;

    /// <summary>Largest trim or write-zeroes range sent in one request (the wire's length field is 32 bits).</summary>
    private const long MaxEffectLength = 1L << 30;

    private const int CombinedSendLimit = 64 * 1024;

    private readonly Socket _socket;
    private readonly SocketInput _input;
    private readonly SocketOutput _output;
    private readonly NbdNegotiatedExport _export;
    private readonly ConcurrentDictionary<ulong, PendingReply> _pending = new();
    private readonly Task _replyLoop;
    private readonly int _chunkSize;
    private long _nextCookie;
    private volatile Exception? _failure;
    private int _disposed;

    private NbdBlockDevice(NbdUri uri, Socket socket, SocketInput input, SocketOutput output, NbdNegotiatedExport export)
    {
        Uri = uri;
        _socket = socket;
        _input = input;
        _output = output;
        _export = export;

        // Honour the server's minimum, but never go below 512: clients may always be stricter than the server.
        int block = Math.Max(export.MinimumBlockSize, 512);
        LogicalBlockSize = export.Size % block == 0 ? block : Math.Max(export.MinimumBlockSize, 1);
        int chunk = (int)Math.Min(Math.Min(export.MaxPayloadSize, (uint)MaxRequestPayload), int.MaxValue);
        _chunkSize = Math.Max(LogicalBlockSize, chunk / LogicalBlockSize * LogicalBlockSize);
        _replyLoop = Task.Run(ReplyLoopAsync);
    }

    /// <summary>The URI this device is connected to.</summary>
    public NbdUri Uri { get; }

    /// <summary>The transmission flags the server advertised.</summary>
    public NbdTransmissionFlags TransmissionFlags => _export.Flags;

    /// <summary>The server's preferred block size.</summary>
    public int PreferredBlockSize => _export.PreferredBlockSize;

    /// <summary>The server's maximum payload per request.</summary>
    public uint MaxPayloadSize => _export.MaxPayloadSize;

    /// <inheritdoc />
    public long Length => _export.Size;

    /// <inheritdoc />
    public int LogicalBlockSize { get; }

    /// <inheritdoc />
    public BlockDeviceCapabilities Capabilities
    {
        get
        {
            NbdTransmissionFlags flags = _export.Flags;
            BlockDeviceCapabilities capabilities = BlockDeviceCapabilities.None;
            if ((flags & NbdTransmissionFlags.ReadOnly) != 0)
            {
                capabilities |= BlockDeviceCapabilities.ReadOnly;
            }

            if ((flags & NbdTransmissionFlags.SendFlush) != 0)
            {
                capabilities |= BlockDeviceCapabilities.Flush;
            }

            if ((flags & NbdTransmissionFlags.SendFua) != 0)
            {
                capabilities |= BlockDeviceCapabilities.ForceUnitAccess;
            }

            if ((flags & NbdTransmissionFlags.SendTrim) != 0)
            {
                capabilities |= BlockDeviceCapabilities.Discard;
            }

            if ((flags & NbdTransmissionFlags.SendWriteZeroes) != 0)
            {
                capabilities |= BlockDeviceCapabilities.WriteZeroes;
            }

            if ((flags & NbdTransmissionFlags.CanMultiConn) != 0)
            {
                capabilities |= BlockDeviceCapabilities.MultiConnectionConsistent;
            }

            return capabilities;
        }
    }

    /// <summary>Connects to <paramref name="uri"/> and negotiates the export.</summary>
    /// <param name="uri"><c>nbd://host[:port]/export</c> or <c>nbd+unix:///export?socket=path</c>.</param>
    /// <param name="cancellationToken">Cancels connecting and negotiation.</param>
    /// <returns>The connected device.</returns>
    /// <exception cref="FormatException">The URI is not a supported NBD URI.</exception>
    /// <exception cref="NbdProtocolException">Negotiation failed (unknown export, not an NBD server...).</exception>
    /// <exception cref="SocketException">The server cannot be reached.</exception>
    public static Task<NbdBlockDevice> ConnectAsync(string uri, CancellationToken cancellationToken = default)
        => ConnectAsync(NbdUri.Parse(uri), cancellationToken);

    /// <summary>Connects to <paramref name="uri"/> and negotiates the export.</summary>
    /// <param name="uri">Where the export is.</param>
    /// <param name="cancellationToken">Cancels connecting and negotiation.</param>
    /// <returns>The connected device.</returns>
    /// <exception cref="NbdProtocolException">Negotiation failed (unknown export, not an NBD server...).</exception>
    /// <exception cref="SocketException">The server cannot be reached.</exception>
    public static async Task<NbdBlockDevice> ConnectAsync(NbdUri uri, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        Socket socket = uri.Transport == NbdUriTransport.UnixSocket
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        var output = new SocketOutput(socket);
        try
        {
            if (uri.Transport == NbdUriTransport.UnixSocket)
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(uri.SocketPath!), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await socket.ConnectAsync(uri.Host!, uri.Port, cancellationToken).ConfigureAwait(false);
                socket.NoDelay = true;
            }

            var input = new SocketInput(socket);
            NbdNegotiatedExport export;
            try
            {
                export = await NbdClientHandshake.RunAsync(input, output, uri.ExportName, cancellationToken).ConfigureAwait(false);
            }
            catch (EndOfStreamException e)
            {
                throw new NbdProtocolException($"The server at {uri} closed the connection during negotiation.", e);
            }

            return new NbdBlockDevice(uri, socket, input, output, export);
        }
        catch
        {
            output.Dispose();
            socket.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        BlockRequest.Validate(this, offset, buffer.Length);
        if (buffer.Length <= _chunkSize)
        {
            await RequestAsync(NbdCommand.Read, NbdCommandFlags.None, offset, (uint)buffer.Length, ReadOnlyMemory<byte>.Empty, buffer, cancellationToken).ConfigureAwait(false);
            return;
        }

        var chunks = new List<Task>();
        for (int done = 0; done < buffer.Length; done += _chunkSize)
        {
            int n = Math.Min(_chunkSize, buffer.Length - done);
            chunks.Add(RequestAsync(NbdCommand.Read, NbdCommandFlags.None, offset + done, (uint)n, ReadOnlyMemory<byte>.Empty, buffer.Slice(done, n), cancellationToken));
        }

        await Task.WhenAll(chunks).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
    {
        BlockRequest.EnsureWritable(this);
        BlockRequest.Validate(this, offset, data.Length);
        NbdCommandFlags commandFlags = FuaFlag(flags, out bool flushAfter);
        var chunks = new List<Task>();
        for (int done = 0; done < data.Length; done += _chunkSize)
        {
            int n = Math.Min(_chunkSize, data.Length - done);
            chunks.Add(RequestAsync(NbdCommand.Write, commandFlags, offset + done, (uint)n, data.Slice(done, n), Memory<byte>.Empty, cancellationToken));
        }

        await Task.WhenAll(chunks).ConfigureAwait(false);
        if (flushAfter)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if ((_export.Flags & NbdTransmissionFlags.SendFlush) == 0)
        {
            // The server has no flush to offer: it writes through (the spec forbids sending what is not advertised).
            ThrowIfFailed();
            return;
        }

        await RequestAsync(NbdCommand.Flush, NbdCommandFlags.None, 0, 0, ReadOnlyMemory<byte>.Empty, Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        BlockRequest.EnsureWritable(this);
        BlockRequest.Validate(this, offset, length);
        if ((_export.Flags & NbdTransmissionFlags.SendTrim) == 0)
        {
            throw new BlockDeviceException(BlockDeviceError.NotSupported, $"The NBD export {Uri} does not support discard (NBD_FLAG_SEND_TRIM is not advertised).");
        }

        await RangeRequestsAsync(NbdCommand.Trim, NbdCommandFlags.None, offset, length, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask WriteZeroesAsync(long offset, long length, BlockWriteFlags flags = BlockWriteFlags.None, CancellationToken cancellationToken = default)
    {
        BlockRequest.EnsureWritable(this);
        BlockRequest.Validate(this, offset, length);
        if ((_export.Flags & NbdTransmissionFlags.SendWriteZeroes) == 0)
        {
            // Emulate with ordinary writes of a zero buffer (which never leave holes, so NoHole holds too).
            byte[] zeroes = new byte[(int)Math.Min(length, Math.Min(_chunkSize, 1 << 20))];
            for (long done = 0; done < length; done += zeroes.Length)
            {
                int n = (int)Math.Min(zeroes.Length, length - done);
                await WriteAsync(offset + done, zeroes.AsMemory(0, n), BlockWriteFlags.None, cancellationToken).ConfigureAwait(false);
            }

            if ((flags & BlockWriteFlags.ForceUnitAccess) != 0)
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        NbdCommandFlags commandFlags = FuaFlag(flags, out bool flushAfter)
            | ((flags & BlockWriteFlags.NoHole) != 0 ? NbdCommandFlags.NoHole : NbdCommandFlags.None);
        await RangeRequestsAsync(NbdCommand.WriteZeroes, commandFlags, offset, length, cancellationToken).ConfigureAwait(false);
        if (flushAfter)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends <c>NBD_CMD_DISC</c> after the requests in flight, and closes the connection.</summary>
    /// <returns>Completes when the connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_failure is null)
        {
            try
            {
                // The spec asks clients to wait for replies in flight before a soft disconnect.
                await Task.WhenAll(_pending.Values.Select(p => (Task)p.Task)).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Failed requests were already reported to their callers; closing goes on regardless.
            catch (Exception)
#pragma warning restore CA1031
            {
            }

            try
            {
                byte[] disconnect = new byte[NbdRequestHeader.Size];
                new NbdRequestHeader(NbdMagic.Request, NbdCommandFlags.None, NbdCommand.Disconnect, 0, 0, 0).Write(disconnect);
                await _output.SendAsync(disconnect).ConfigureAwait(false);
                _socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already gone.
            }
        }

        Fail(new ObjectDisposedException(nameof(NbdBlockDevice), $"The NBD connection to {Uri} is closed."));
        try
        {
            await _replyLoop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The server did not close its side; closing ours ends the loop.
        }

        _socket.Dispose();
        _output.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => Uri.ToString();

    private NbdCommandFlags FuaFlag(BlockWriteFlags flags, out bool flushAfter)
    {
        flushAfter = false;
        if ((flags & BlockWriteFlags.ForceUnitAccess) == 0)
        {
            return NbdCommandFlags.None;
        }

        if ((_export.Flags & NbdTransmissionFlags.SendFua) != 0)
        {
            return NbdCommandFlags.ForceUnitAccess;
        }

        flushAfter = true;
        return NbdCommandFlags.None;
    }

    private async Task RangeRequestsAsync(NbdCommand command, NbdCommandFlags flags, long offset, long length, CancellationToken cancellationToken)
    {
        long chunk = MaxEffectLength / LogicalBlockSize * LogicalBlockSize;
        var requests = new List<Task>();
        for (long done = 0; done < length; done += chunk)
        {
            long n = Math.Min(chunk, length - done);
            requests.Add(RequestAsync(command, flags, offset + done, (uint)n, ReadOnlyMemory<byte>.Empty, Memory<byte>.Empty, cancellationToken));
        }

        await Task.WhenAll(requests).ConfigureAwait(false);
    }

    private async Task RequestAsync(NbdCommand command, NbdCommandFlags flags, long offset, uint length, ReadOnlyMemory<byte> payload, Memory<byte> readInto, CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        ulong cookie = (ulong)Interlocked.Increment(ref _nextCookie);
        var pending = new PendingReply(readInto);
        _pending[cookie] = pending;
        if (_failure is not null && _pending.TryRemove(cookie, out _))
        {
            ThrowIfFailed();
        }

        var header = new NbdRequestHeader(NbdMagic.Request, flags, command, cookie, (ulong)offset, length);
        int combined = payload.Length <= CombinedSendLimit ? payload.Length : 0;
        byte[] message = ArrayPool<byte>.Shared.Rent(NbdRequestHeader.Size + combined);
        try
        {
            header.Write(message);
            payload.Span[..combined].CopyTo(message.AsSpan(NbdRequestHeader.Size));
            if (combined == payload.Length)
            {
                await _output.SendAsync(message.AsMemory(0, NbdRequestHeader.Size + combined), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _output.SendAsync(message.AsMemory(0, NbdRequestHeader.Size), payload, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Cancelled while waiting to send: nothing went out, so nothing will come back.
            _pending.TryRemove(cookie, out _);
            throw;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            _pending.TryRemove(cookie, out _);
            Fail(e);
            ThrowIfFailed();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(message);
        }

        // Once sent, the request runs to its reply: the read buffer must stay ours until the data has landed.
        NbdErrno error = await pending.Task.ConfigureAwait(false);
        if (error != NbdErrno.None)
        {
            throw new BlockDeviceException(NbdErrorMapping.ToBlockDeviceError(error),
                $"NBD server {Uri} failed {command} at offset {offset} of {length} bytes with {error}.");
        }
    }

    private async Task ReplyLoopAsync()
    {
        byte[] header = new byte[NbdReplyFormat.SimpleHeaderSize];
        try
        {
            while (true)
            {
                if (!await _input.TryReadExactlyAsync(header, CancellationToken.None).ConfigureAwait(false))
                {
                    throw new EndOfStreamException($"The NBD server {Uri} closed the connection.");
                }

                uint magic = BinaryPrimitives.ReadUInt32BigEndian(header);
                if (magic != NbdMagic.SimpleReply)
                {
                    throw new NbdProtocolException($"The NBD server {Uri} sent a reply with magic 0x{magic:x8} (structured replies were not negotiated).");
                }

                var error = (NbdErrno)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
                ulong cookie = BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(8));
                if (!_pending.TryRemove(cookie, out PendingReply? pending))
                {
                    throw new NbdProtocolException($"The NBD server {Uri} replied to cookie {cookie}, which is not in flight.");
                }

                if (error == NbdErrno.None && !pending.ReadInto.IsEmpty)
                {
                    await _input.ReadExactlyAsync(pending.ReadInto, CancellationToken.None).ConfigureAwait(false);
                }

                pending.TrySetResult(error);
            }
        }
#pragma warning disable CA1031 // Whatever ends the loop fails every request in flight with it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Fail(e);
        }
    }

    private void Fail(Exception cause)
    {
        Interlocked.CompareExchange(ref _failure, cause, null);
        foreach (ulong cookie in _pending.Keys)
        {
            if (_pending.TryRemove(cookie, out PendingReply? pending))
            {
                pending.TrySetException(ConnectionLost());
            }
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw ConnectionLost();
        }
    }

    private BlockDeviceException ConnectionLost() => _failure is ObjectDisposedException
        ? new BlockDeviceException(BlockDeviceError.ShuttingDown, $"The NBD connection to {Uri} is closed.", _failure)
        : new BlockDeviceException(BlockDeviceError.IoError, $"The NBD connection to {Uri} is lost: {_failure?.Message}", _failure);
}
