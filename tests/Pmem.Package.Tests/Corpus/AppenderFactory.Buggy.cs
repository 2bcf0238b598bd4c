using Pmem;

namespace Corpus.AppenderFactory.Buggy;

// A log hands out appenders bound to a position; each appender copies a record and flushes it. The factory's author
// assumed the caller fences, but callers treat the appender's return as "stored".
internal sealed class Log(PmemRegion region)
{
    private long _next = 64;

    public Action<byte[]> NewAppender()
    {
        long position = _next;
        _next += 4096;
        return record =>
        {
            Persist.PmemMemcpy(region.Slice(position, record.Length), record); // expect: PMEM002
            Persist.PmemFlush(region.Slice(position, record.Length));
        };
    }
}
