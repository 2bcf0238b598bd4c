using Pmem;

namespace Corpus.OpcodeHandlers.Correct;

// The command dispatcher with both handlers fencing their writes.
internal sealed class Dispatcher
{
    private static readonly byte[] Zeroes = new byte[4096];
    private readonly Dictionary<byte, Action<long, ReadOnlyMemory<byte>>> _handlers = [];

    public Dispatcher(PmemRegion region)
    {
        _handlers[1] = delegate (long offset, ReadOnlyMemory<byte> payload)
        {
            Persist.PmemMemcpy(region.Slice(offset, payload.Length), payload.Span);
            Persist.PmemFlush(region.Slice(offset, payload.Length));
            Persist.PmemCommit();
        };
        _handlers[2] = delegate (long offset, ReadOnlyMemory<byte> payload)
        {
            int length = Math.Min(payload.Length, Zeroes.Length);
            Persist.PmemMemcpy(region.Slice(offset, length), Zeroes.AsSpan(0, length));
            Persist.PmemFlush(region.Slice(offset, length));
            Persist.PmemCommit();
        };
    }

    public void Dispatch(byte opcode, long offset, ReadOnlyMemory<byte> payload) => _handlers[opcode](offset, payload);
}
