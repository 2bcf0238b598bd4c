using System.Net.Sockets;
using Pmem;

namespace Corpus.AsyncMirror.Correct;

// The replicated store commits the local write before it waits for the mirror, so every way out leaves it durable.
internal sealed class MirroredStore(PmemRegion region, Socket mirror)
{
    public async Task<bool> WriteAsync(long offset, ReadOnlyMemory<byte> data)
    {
        Persist.PmemMemcpy(region.Slice(offset, data.Length), data.Span);
        Persist.PmemFlush(region.Slice(offset, data.Length));
        Persist.PmemCommit();
        int sent = await mirror.SendAsync(data, SocketFlags.None);
        return sent == data.Length;
    }
}
