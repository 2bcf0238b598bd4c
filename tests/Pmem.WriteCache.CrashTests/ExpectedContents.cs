namespace Pmem.WriteCache.CrashTests;

/// <summary>
/// What each origin block may read as after a crash, from the facts acknowledged before the crash point: the last
/// version made durable (by a flush or a FUA write) or any version issued after it — never an older one, never a
/// mix of two. A discard in that window also admits zeroes and any older version (discarded data is undefined).
/// </summary>
internal sealed class ExpectedContents
{
    private const int Discard = -1;
    private readonly List<int>[] _history;
    private readonly int[] _durable;

    private ExpectedContents(int blocks)
    {
        _history = new List<int>[blocks];
        _durable = new int[blocks];
        for (int b = 0; b < blocks; b++)
        {
            _history[b] = [BlockPattern.InitialVersion];
        }
    }

    public static ExpectedContents From(IReadOnlyList<object> facts, int blocks)
    {
        var expected = new ExpectedContents(blocks);
        foreach (object fact in facts)
        {
            switch (fact)
            {
                case WriteIssued write:
                    expected.Append(write.FirstBlock, write.Count, write.Version);
                    break;
                case DiscardIssued discard:
                    expected.Append(discard.FirstBlock, discard.Count, Discard);
                    break;
                case FuaCompleted fua:
                    for (long b = fua.FirstBlock; b < fua.FirstBlock + fua.Count; b++)
                    {
                        expected._durable[b] = expected._history[b].LastIndexOf(fua.Version);
                    }

                    break;
                case FlushCompleted:
                    // One request at a time: everything issued before the flush had completed.
                    for (int b = 0; b < blocks; b++)
                    {
                        expected._durable[b] = expected._history[b].Count - 1;
                    }

                    break;
            }
        }

        return expected;
    }

    /// <summary>Null if <paramref name="contents"/> is acceptable for <paramref name="block"/>, else why not.</summary>
    public string? Check(long block, ReadOnlySpan<byte> contents)
    {
        List<int> history = _history[block];
        int durable = _durable[block];
        int lastDiscard = history.LastIndexOf(Discard);
        int oldestAllowed = lastDiscard >= durable ? 0 : durable;
        bool zeroesAllowed = lastDiscard >= durable;
        if (zeroesAllowed && !contents.ContainsAnyExcept((byte)0))
        {
            return null;
        }

        for (int i = oldestAllowed; i < history.Count; i++)
        {
            if (history[i] != Discard && BlockPattern.Matches(contents, block, history[i]))
            {
                return null;
            }
        }

        IEnumerable<int> allowed = history.Skip(oldestAllowed).Where(v => v != Discard);
        return $"block {block} reads {BlockPattern.Describe(contents)}; allowed: version {string.Join(" or ", allowed)}"
            + (zeroesAllowed ? " or zeroes (discarded)" : string.Empty)
            + $"; durable: {(history[durable] == Discard ? "a discard" : $"version {history[durable]}")}";
    }

    private void Append(long firstBlock, int count, int version)
    {
        for (long b = firstBlock; b < firstBlock + count; b++)
        {
            _history[b].Add(version);
        }
    }
}
