using System.Net.Sockets;
using Pmem;

namespace Corpus.AsyncMirror.Buggy;

// A replicated store writes locally, sends the data to a mirror, and commits once the mirror took it. When the send
// comes up short, it returns early: the local write is flushed but never fenced, though the next request's commit
// may come much later, or never.
internal sealed class MirroredStore(PmemRegion region, Socket mirror)
{
    public async Task<bool> WriteAsync(long offset, ReadOnlyMemory<byte> data)
    {
        Persist.PmemMemcpy(region.Slice(offset, data.Length), data.Span); // expect: PMEM002
        Persist.PmemFlush(region.Slice(offset, data.Length));
        int sent = await mirror.SendAsync(data, SocketFlags.None);
        if (sent != data.Length)
        {
            return false;
        }

        Persist.PmemCommit();
        return true;
    }
}
