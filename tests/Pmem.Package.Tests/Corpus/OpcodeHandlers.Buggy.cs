using Pmem;

namespace Corpus.OpcodeHandlers.Buggy;

// A command dispatcher keeps one handler per opcode. The "write" handler (an anonymous method) persists its payload;
// the "write zeroes" handler copies zeroes and flushes but forgot the fence the other one has.
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
            Persist.PmemMemcpy(region.Slice(offset, length), Zeroes.AsSpan(0, length)); // expect: PMEM002
            Persist.PmemFlush(region.Slice(offset, length));
        };
    }

    public void Dispatch(byte opcode, long offset, ReadOnlyMemory<byte> payload) => _handlers[opcode](offset, payload);
}
