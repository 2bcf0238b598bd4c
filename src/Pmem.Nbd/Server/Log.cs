using System.Net;
using Microsoft.Extensions.Logging;
using Pmem.Nbd.Protocol;

namespace Pmem.Nbd.Server;

/// <summary>
/// Every message the server logs, source-generated (no boxing or template parsing per call). Event ids: 1xx the
/// server, 2xx negotiation, 3xx a connection's lifecycle, 4xx requests.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "NBD server listening on {EndPoint} with exports {Exports}.")]
    public static partial void Listening(ILogger logger, EndPoint endPoint, string exports);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "NBD server: accept failed: {Reason}")]
    public static partial void AcceptFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "NBD server: connection {Peer} accepted.")]
    public static partial void Accepted(ILogger logger, string peer);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "NBD server stopping: no new connections, finishing in-flight requests.")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "NBD server stop cancelled: closing {Count} connections with requests still in flight.")]
    public static partial void StopCancelled(ILogger logger, int count);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "NBD server stopping: client {Peer} did not take its replies within {Timeout}; disconnecting it with {Unsent} requests unanswered (what it wrote is applied).")]
    public static partial void DroppedAtShutdown(ILogger logger, string peer, TimeSpan timeout, int unsent);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "NBD server stopped, {Elapsed} after the stop began.")]
    public static partial void Stopped(ILogger logger, TimeSpan elapsed);

    [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "NBD client {Peer} closed the connection during negotiation.")]
    public static partial void ClosedDuringNegotiation(ILogger logger, string peer);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "NBD client {Peer} aborted negotiation.")]
    public static partial void NegotiationAborted(ILogger logger, string peer);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "NBD client {Peer} sent unsupported option {Option}; answered NBD_REP_ERR_UNSUP.")]
    public static partial void UnsupportedOption(ILogger logger, string peer, uint option);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "NBD client {Peer} asked for unknown export '{Export}'.")]
    public static partial void UnknownExport(ILogger logger, string peer, string export);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "NBD client {Peer} attached to export {Export} (structured replies: {Structured}).")]
    public static partial void Attached(ILogger logger, string peer, NbdExport export, bool structured);

    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "NBD connection {Peer}: server stopping, no more requests read.")]
    public static partial void StoppedReading(ILogger logger, string peer);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "NBD client {Peer} broke the protocol: {Reason} Disconnecting.")]
    public static partial void ProtocolBroken(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "NBD client {Peer} disconnected in the middle of a message (nothing from it was applied): {Reason}")]
    public static partial void Truncated(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "NBD connection {Peer} failed: {Reason}")]
    public static partial void ConnectionFailed(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 304, Level = LogLevel.Error, Message = "NBD connection {Peer} hit an unexpected error; disconnecting.")]
    public static partial void ConnectionCrashed(ILogger logger, Exception exception, string peer);

    [LoggerMessage(EventId = 305, Level = LogLevel.Debug, Message = "NBD connection {Peer} closed.")]
    public static partial void Closed(ILogger logger, string peer);

    [LoggerMessage(EventId = 306, Level = LogLevel.Debug, Message = "NBD client {Peer} closed the connection.")]
    public static partial void ClientLeft(ILogger logger, string peer);

    [LoggerMessage(EventId = 307, Level = LogLevel.Debug, Message = "NBD client {Peer} sent NBD_CMD_DISC.")]
    public static partial void DisconnectRequested(ILogger logger, string peer);

    [LoggerMessage(EventId = 308, Level = LogLevel.Debug, Message = "NBD client {Peer}: replies could not be sent: {Reason}")]
    public static partial void RepliesNotSent(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 309, Level = LogLevel.Debug, Message = "NBD client {Peer}: {Requests} requests in flight use up its budget; reading paused until replies leave.")]
    public static partial void ReadingPaused(ILogger logger, string peer, int requests);

    [LoggerMessage(EventId = 310, Level = LogLevel.Warning, Message = "NBD client {Peer} stalled in the middle of a request (limit {Timeout}): {Reason} Disconnecting; that request is not applied.")]
    public static partial void RequestStalled(ILogger logger, string peer, TimeSpan timeout, string reason);

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "NBD client {Peer}: rejected {Command} at {Offset} of {Length} bytes (flags 0x{Flags:x}) with {Errno}: {Reason}")]
    public static partial void Rejected(ILogger logger, string peer, NbdCommand command, ulong offset, uint length, ushort flags, NbdErrno errno, string reason);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "NBD client {Peer}: {Command} at {Offset} of {Length} bytes failed with {Errno}: {Reason}")]
    public static partial void RequestFailed(ILogger logger, string peer, NbdCommand command, ulong offset, uint length, NbdErrno errno, string reason);

    [LoggerMessage(EventId = 402, Level = LogLevel.Error, Message = "NBD client {Peer}: {Command} at {Offset} of {Length} bytes failed unexpectedly.")]
    public static partial void RequestCrashed(ILogger logger, Exception exception, string peer, NbdCommand command, ulong offset, uint length);

    [LoggerMessage(EventId = 403, Level = LogLevel.Error, Message = "NBD client {Peer}: reply to {Command} could not be queued.")]
    public static partial void ReplyNotQueued(ILogger logger, Exception exception, string peer, NbdCommand command);
}
