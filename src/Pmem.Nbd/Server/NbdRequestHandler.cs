using System.Buffers;
using Microsoft.Extensions.Logging;
using Pmem.BlockDevices;
using Pmem.Nbd.Protocol;

namespace Pmem.Nbd.Server;

/// <summary>
/// The transmission phase's requests, one at a time, for one negotiated session: checks a request against what was
/// negotiated, runs it on the export's device, and returns one <see cref="NbdRequestResult"/> (nbdkit's
/// <c>validate_request</c> and <c>handle_request</c>). Every refusal and failure is logged here; the reply is the
/// connection's.
/// </summary>
internal sealed class NbdRequestHandler
{
    private readonly NbdSession _session;
    private readonly int _maxPayloadSize;
    private readonly ILogger _logger;
    private readonly string _peer;

    public NbdRequestHandler(NbdSession session, int maxPayloadSize, ILogger logger, string peer)
    {
        _session = session;
        _maxPayloadSize = maxPayloadSize;
        _logger = logger;
        _peer = peer;
    }

    /// <summary>The text of a refused oversize read or write, also used when a write is too long even to skip.</summary>
    public static string OversizePayload(NbdCommand command, ulong length, int maxPayloadSize)
        => $"{command} of {length} bytes exceeds the maximum payload of {maxPayloadSize} bytes.";

    /// <summary>
    /// Validates and runs <paramref name="request"/>; never throws: a device failure becomes its errno. A write's
    /// <paramref name="payload"/> is only read; an oversize write arrives without one and is refused.
    /// </summary>
    public async ValueTask<NbdRequestResult> HandleAsync(NbdRequestHeader request, ReadOnlyMemory<byte> payload)
    {
        (NbdErrno refusal, string? reason) = Validate(request);
        if (refusal != NbdErrno.None)
        {
            Log.Rejected(_logger, _peer, request.Command, request.Offset, request.Length, (ushort)request.Flags, refusal, reason!);
            return NbdRequestResult.Failed(refusal, reason!);
        }

        IBlockDevice device = _session.Export.Device;
        long offset = (long)request.Offset;
        int length = (int)Math.Min(request.Length, int.MaxValue);
        BlockWriteFlags fua = (request.Flags & NbdCommandFlags.ForceUnitAccess) != 0 ? BlockWriteFlags.ForceUnitAccess : BlockWriteFlags.None;
        try
        {
            switch (request.Command)
            {
                case NbdCommand.Read when length > 0:
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

                    return NbdRequestResult.Data(readBuffer, length);

                case NbdCommand.Write when length > 0:
                    await device.WriteAsync(offset, payload[..length], fua).ConfigureAwait(false);
                    break;

                case NbdCommand.Flush:
                    await device.FlushAsync().ConfigureAwait(false);
                    break;

                case NbdCommand.Trim when request.Length > 0:
                    await device.DiscardAsync(offset, request.Length).ConfigureAwait(false);
                    if (fua != BlockWriteFlags.None)
                    {
                        await device.FlushAsync().ConfigureAwait(false);
                    }

                    break;

                case NbdCommand.WriteZeroes when request.Length > 0:
                    BlockWriteFlags noHole = (request.Flags & NbdCommandFlags.NoHole) != 0 ? BlockWriteFlags.NoHole : BlockWriteFlags.None;
                    await device.WriteZeroesAsync(offset, request.Length, fua | noHole).ConfigureAwait(false);
                    break;
            }

            return NbdRequestResult.Success;
        }
        catch (BlockDeviceException e)
        {
            return Failed(request, NbdErrorMapping.ToErrno(e.Error), e.Message);
        }
        catch (OutOfMemoryException e)
        {
            return Failed(request, NbdErrno.ENOMEM, e.Message);
        }
#pragma warning disable CA1031 // Any device failure becomes EIO for this request; the connection carries on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.RequestCrashed(_logger, e, _peer, request.Command, request.Offset, request.Length);
            return NbdRequestResult.Failed(NbdErrno.EIO, "Internal server error.");
        }
    }

    private NbdRequestResult Failed(NbdRequestHeader request, NbdErrno errno, string reason)
    {
        Log.RequestFailed(_logger, _peer, request.Command, request.Offset, request.Length, errno, reason);
        return NbdRequestResult.Failed(errno, reason);
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

        // Its payload was skipped unread: refused before anything else is looked at.
        if (command == NbdCommand.Write && request.Length > (uint)_maxPayloadSize)
        {
            return (NbdErrno.EINVAL, OversizePayload(command, request.Length, _maxPayloadSize));
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

        if (command == NbdCommand.Read && request.Length > (uint)_maxPayloadSize)
        {
            return (_session.StructuredReplies ? NbdErrno.EOVERFLOW : NbdErrno.EINVAL, OversizePayload(command, request.Length, _maxPayloadSize));
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
}
