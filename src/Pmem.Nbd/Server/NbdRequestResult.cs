using Pmem.Nbd.Protocol;

namespace Pmem.Nbd.Server;

/// <summary>
/// What one request came to, as <see cref="NbdRequestHandler"/> returns it: success, an errno with its reason, or read
/// data. The connection turns it into exactly one reply.
/// </summary>
internal readonly struct NbdRequestResult
{
    private NbdRequestResult(NbdErrno error, string? reason, byte[]? readBuffer, int readLength)
    {
        Error = error;
        Reason = reason;
        ReadBuffer = readBuffer;
        ReadLength = readLength;
    }

    /// <summary>The request succeeded and has no data to return.</summary>
    public static NbdRequestResult Success => default;

    /// <summary><see cref="NbdErrno.None"/> unless the request failed.</summary>
    public NbdErrno Error { get; }

    /// <summary>Why it failed, for the log and a structured error chunk; null on success.</summary>
    public string? Reason { get; }

    /// <summary>
    /// A read's data, at <see cref="NbdReplyFormat.ReadHeadroom"/> so the reply header fits in front of it; rented from
    /// the shared pool, and owned by the reply from then on.
    /// </summary>
    public byte[]? ReadBuffer { get; }

    /// <summary>Bytes of data in <see cref="ReadBuffer"/>.</summary>
    public int ReadLength { get; }

    /// <summary>The request failed with <paramref name="error"/>.</summary>
    public static NbdRequestResult Failed(NbdErrno error, string reason) => new(error, reason, null, 0);

    /// <summary>A read returned <paramref name="length"/> bytes in <paramref name="buffer"/> (see <see cref="ReadBuffer"/>).</summary>
    public static NbdRequestResult Data(byte[] buffer, int length) => new(NbdErrno.None, null, buffer, length);
}
