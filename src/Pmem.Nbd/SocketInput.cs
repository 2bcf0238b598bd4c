using System.Diagnostics;
using System.Net.Sockets;

namespace Pmem.Nbd;

/// <summary>
/// Buffered reads from a stream socket: small headers come out of one <c>recv</c> together, large payloads go straight
/// into the caller's buffer. One reader at a time (each connection has a single reading loop). The asynchronous methods
/// serve the client; the blocking ones serve the server, whose connections each have a thread of their own (a socket
/// that never saw an asynchronous call stays in blocking mode, so a read is one <c>recv</c> that the kernel wakes,
/// with no event loop in between).
/// </summary>
internal sealed class SocketInput
{
    private const int BufferSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly long _receiveSpinTicks;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _start;
    private int _end;
    private TimeSpan _stallTimeout;

    /// <param name="socket">The connected socket.</param>
    /// <param name="receiveSpin">How long a blocking read polls for data before it blocks (see <see cref="Server.NbdServerOptions.ReceiveSpin"/>).</param>
    public SocketInput(Socket socket, TimeSpan receiveSpin = default)
    {
        _socket = socket;
        _receiveSpinTicks = (long)(receiveSpin.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>Bytes received and not yet taken: what can be read without waiting for the socket.</summary>
    public int BufferedCount => _end - _start;

    /// <summary>Total bytes received, for tests and logs.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>
    /// Fills <paramref name="destination"/>. Returns false if the peer closed the connection before sending any of it;
    /// throws <see cref="EndOfStreamException"/> if it closed part-way (a truncated message).
    /// </summary>
    public async ValueTask<bool> TryReadExactlyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        int done = TakeBuffered(destination.Span);
        while (done < destination.Length)
        {
            int wanted = destination.Length - done;
            int n;
            if (wanted >= BufferSize)
            {
                // Big payloads: no copy through the buffer.
                n = await _socket.ReceiveAsync(destination[done..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    return Eof(done, destination.Length);
                }

                BytesReceived += n;
                done += n;
                continue;
            }

            n = await _socket.ReceiveAsync(_buffer.AsMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return Eof(done, destination.Length);
            }

            BytesReceived += n;
            _start = 0;
            _end = n;
            done += TakeBuffered(destination.Span[done..]);
        }

        return true;
    }

    /// <summary>
    /// From now on a blocking read that has begun a message (and every payload read or skip, which continue one) fails
    /// with <see cref="TimeoutException"/> when nothing arrives for <paramref name="timeout"/>; before a message has
    /// begun, a quiet peer is waited for without limit. Costs nothing per read: the kernel's receive timeout
    /// (<c>SO_RCVTIMEO</c>) ends a blocked <c>recv</c>, and between messages the read simply goes back to waiting.
    /// </summary>
    public void LimitStalls(TimeSpan timeout)
    {
        _stallTimeout = timeout;
        if (OperatingSystem.IsLinux() && Environment.Is64BitProcess)
        {
            // Set underneath .NET: Socket.ReceiveTimeout would switch the socket to non-blocking and emulate every
            // blocking recv through the event loop, the hops the thread per connection exists to avoid. With the
            // socket still blocking, .NET reports the kernel's EAGAIN after the timeout as SocketError.TimedOut.
            const int SolSocket = 1;
            const int SoRcvTimeo = 20;
            Span<byte> timeval = stackalloc byte[16]; // struct timeval on 64-bit Linux: long tv_sec, long tv_usec
            long microseconds = Math.Max(1, (long)Math.Ceiling(timeout.TotalMicroseconds));
            BitConverter.TryWriteBytes(timeval, microseconds / 1_000_000);
            BitConverter.TryWriteBytes(timeval[8..], microseconds % 1_000_000);
            _socket.SetRawSocketOption(SolSocket, SoRcvTimeo, timeval);
        }
        else
        {
            _socket.ReceiveTimeout = (int)Math.Clamp(Math.Ceiling(timeout.TotalMilliseconds), 1, int.MaxValue);
        }
    }

    /// <summary>The blocking form of <see cref="TryReadExactlyAsync"/>.</summary>
    public bool TryReadExactly(Span<byte> destination) => ReadBlocking(destination, begun: false);

    private bool ReadBlocking(Span<byte> destination, bool begun)
    {
        int done = TakeBuffered(destination);
        while (done < destination.Length)
        {
            begun |= done > 0;
            if (destination.Length - done >= BufferSize)
            {
                // Big payloads: no copy through the buffer.
                int n = Receive(destination[done..], begun);
                if (n == 0)
                {
                    return Eof(done, destination.Length);
                }

                BytesReceived += n;
                done += n;
                continue;
            }

            if (!Refill(begun))
            {
                return Eof(done, destination.Length);
            }

            done += TakeBuffered(destination[done..]);
        }

        return true;
    }

    /// <summary>The blocking form of <see cref="ReadExactlyAsync"/>; continues a message (see <see cref="LimitStalls"/>).</summary>
    public void ReadExactly(Span<byte> destination)
    {
        if (!ReadBlocking(destination, begun: true) && destination.Length > 0)
        {
            throw new EndOfStreamException($"The peer closed the connection; {destination.Length} more bytes were expected.");
        }
    }

    /// <summary>The blocking form of <see cref="SkipAsync"/>; continues a message (see <see cref="LimitStalls"/>).</summary>
    public void Skip(long count)
    {
        while (count > 0)
        {
            if (_start == _end && !Refill(begun: true))
            {
                throw new EndOfStreamException($"The peer closed the connection; {count} more payload bytes were expected.");
            }

            int skipped = (int)Math.Min(count, _end - _start);
            _start += skipped;
            count -= skipped;
        }
    }

    /// <summary>Fills <paramref name="destination"/>; throws <see cref="EndOfStreamException"/> if the peer closes first.</summary>
    public async ValueTask ReadExactlyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (!await TryReadExactlyAsync(destination, cancellationToken).ConfigureAwait(false) && destination.Length > 0)
        {
            throw new EndOfStreamException($"The peer closed the connection; {destination.Length} more bytes were expected.");
        }
    }

    /// <summary>Reads and drops <paramref name="count"/> bytes (a payload the server refuses but can stay in sync past).</summary>
    public async ValueTask SkipAsync(long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_start == _end)
            {
                int n = await _socket.ReceiveAsync(_buffer.AsMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new EndOfStreamException($"The peer closed the connection; {count} more payload bytes were expected.");
                }

                BytesReceived += n;
                _start = 0;
                _end = n;
            }

            int skipped = (int)Math.Min(count, _end - _start);
            _start += skipped;
            count -= skipped;
        }
    }

    // One blocking recv into the empty buffer; false at end of stream.
    private bool Refill(bool begun)
    {
        PollBeforeBlocking();
        int n = Receive(_buffer, begun);
        if (n == 0)
        {
            return false;
        }

        BytesReceived += n;
        _start = 0;
        _end = n;
        return true;
    }

    // One blocking recv. It returns early only if LimitStalls set a timeout: mid-message that ends the read, between
    // messages the wait goes on.
    private int Receive(Span<byte> destination, bool begun)
    {
        while (true)
        {
            try
            {
                return _socket.Receive(destination, SocketFlags.None);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                if (begun)
                {
                    throw new TimeoutException($"Nothing more of the message arrived for {_stallTimeout.TotalSeconds:0.###} s.", e);
                }
            }
        }
    }

    // A thread blocked in recv is woken by the peer's send: a cross-CPU wake-up paid by the peer and by the round trip.
    // A client with requests queued sends again within microseconds, so asking the socket for a short while first
    // (FIONREAD, no wake-up involved) saves most of those wake-ups under load, and costs an idle connection at most
    // the spin once.
    private void PollBeforeBlocking()
    {
        if (_receiveSpinTicks == 0)
        {
            return;
        }

        long until = Stopwatch.GetTimestamp() + _receiveSpinTicks;
        while (_socket.Available == 0 && Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(20);
        }
    }

    private int TakeBuffered(Span<byte> destination)
    {
        int n = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, n).CopyTo(destination);
        _start += n;
        return n;
    }

    private static bool Eof(int done, int wanted) => done == 0
        ? false
        : throw new EndOfStreamException($"The peer closed the connection after {done} of {wanted} bytes.");
}
