using Pmem;

namespace Corpus.AppenderFactory.Correct;

// The log's appenders fence each record before they return.
internal sealed class Log(PmemRegion region)
{
    private long _next = 64;

    public Action<byte[]> NewAppender()
    {
        long position = _next;
        _next += 4096;
        return record =>
        {
            Persist.PmemMemcpy(region.Slice(position, record.Length), record);
            Persist.PmemFlush(region.Slice(position, record.Length));
            Persist.PmemCommit();
        };
    }
}
