using Pmem.Nbd.Protocol;

namespace Pmem.Nbd.Client;

/// <summary>A client request waiting for its reply; reads carry the buffer the reply's data goes into.</summary>
internal sealed class PendingReply : TaskCompletionSource<NbdErrno>
{
    public PendingReply(Memory<byte> readInto)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
        => ReadInto = readInto;

    /// <summary>Where a successful read's data lands (empty for other commands).</summary>
    public Memory<byte> ReadInto { get; }
}
