namespace Pmem.WriteCache.Tool.Tests;

/// <summary>
/// What a client may rely on after a power cut: per block, the generation a completed flush covered, and the
/// generation written after it whose flush had not completed (which may or may not have survived).
/// Each block has one writer at a time, so a block has at most one write in doubt.
/// </summary>
internal sealed class AcknowledgedWrites
{
    private readonly Dictionary<int, int> _durable = [];
    private readonly Dictionary<int, int> _inDoubt = [];
    private readonly object _gate = new();

    public int DurableBlocks
    {
        get
        {
            lock (_gate)
            {
                return _durable.Count;
            }
        }
    }

    public void Issued(int block, int generation)
    {
        lock (_gate)
        {
            _inDoubt[block] = generation;
        }
    }

    /// <summary>The flush after the write of <paramref name="generation"/> completed: it is durable.</summary>
    public void Flushed(int block, int generation)
    {
        lock (_gate)
        {
            _durable[block] = generation;
            if (_inDoubt.GetValueOrDefault(block) == generation)
            {
                _inDoubt.Remove(block);
            }
        }
    }

    public IReadOnlyList<int> Blocks()
    {
        lock (_gate)
        {
            return [.. _durable.Keys.Union(_inDoubt.Keys)];
        }
    }

    /// <summary>Checks what survived, then takes it as the new durable state (it was read back from committed data).</summary>
    /// <returns>Null if <paramref name="found"/> is allowed, otherwise why not.</returns>
    public string? Verify(int block, int found)
    {
        lock (_gate)
        {
            int durable = _durable.GetValueOrDefault(block);
            bool inDoubt = _inDoubt.TryGetValue(block, out int doubtful);
            if (found != durable && !(inDoubt && found == doubtful))
            {
                return $"block {block}: read generation {found}, but generation {durable} was acknowledged by a completed flush{(inDoubt ? $" (generation {doubtful} was in doubt)" : string.Empty)}";
            }

            _durable[block] = found;
            _inDoubt.Remove(block);
            return null;
        }
    }
}
