using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Pmem.Testing.Recording;

namespace Pmem.Testing.Exploration;

/// <summary>
/// Replays a recording's stores, flushes and fences under one <see cref="PmemModel"/> and knows, at every point, what is
/// guaranteed persistent (the floor image) and which 8-byte units may hold one of several versions after a crash.
/// </summary>
internal sealed class PersistenceState
{
    private readonly PmemModel _model;
    private readonly UnitTimeline?[] _units;
    private readonly List<int> _pendingUnits = [];
    private readonly List<int> _flushedUnits = [];

    public PersistenceState(PmemModel model, byte[] initial)
    {
        _model = model;
        Floor = new AlignedBuffer(initial.Length);
        initial.CopyTo(Floor.Span);
        _units = new UnitTimeline?[initial.Length / CacheGeometry.UnitSize];
    }

    /// <summary>What the region is guaranteed to hold after a crash now, for every unit not in <see cref="PendingUnits"/>.</summary>
    public AlignedBuffer Floor { get; }

    /// <summary>The units that may hold one of several versions, in the order they were first stored to since they last settled.</summary>
    public IReadOnlyList<int> PendingUnits => _pendingUnits;

    /// <summary>The index of the last fence replayed, or -1.</summary>
    public int LastFenceEvent { get; private set; } = -1;

    public UnitTimeline Timeline(int unit) => _units[unit] ?? throw new InvalidOperationException($"Unit {unit} has no recorded store.");

    public ulong FloorValue(int unit) => Unsafe.ReadUnaligned<ulong>(ref Floor.Span[unit * CacheGeometry.UnitSize]);

    public void ApplyStore(in RecordedEvent store, int eventIndex, ReadOnlySpan<byte> bytes)
    {
        int firstUnit = store.Offset / CacheGeometry.UnitSize;
        int lastUnit = (store.Offset + store.Length - 1) / CacheGeometry.UnitSize;
        Span<byte> unitBytes = stackalloc byte[CacheGeometry.UnitSize];
        for (int unit = firstUnit; unit <= lastUnit; unit++)
        {
            UnitTimeline timeline = _units[unit] ??= new UnitTimeline();
            ulong previous = timeline.Pending.Count > 0 ? timeline.Pending[^1].Value : FloorValue(unit);
            MemoryMarshal.Write(unitBytes, in previous);

            // The part of this unit the store covers, in unit and in store coordinates.
            int unitStart = unit * CacheGeometry.UnitSize;
            int from = Math.Max(store.Offset, unitStart);
            int to = Math.Min(store.Offset + store.Length, unitStart + CacheGeometry.UnitSize);
            bytes.Slice(from - store.Offset, to - from).CopyTo(unitBytes[(from - unitStart)..]);

            timeline.Pending.Add(new UnitVersion(MemoryMarshal.Read<ulong>(unitBytes), eventIndex));
            if (!timeline.IsListedPending)
            {
                timeline.IsListedPending = true;
                _pendingUnits.Add(unit);
            }
        }
    }

    public void ApplyFlush(in RecordedEvent flush, int eventIndex)
    {
        if (_model != PmemModel.Arm64)
        {
            return; // x86-64's copy already bypassed or wrote back the cache; eADR's cache is persistent.
        }

        // dc cvap cleans whole lines: every unit of a touched line is covered, whether or not the range named it.
        int firstUnit = flush.Offset / CacheGeometry.LineSize * CacheGeometry.UnitsPerLine;
        int endUnit = ((flush.Offset + flush.Length - 1) / CacheGeometry.LineSize + 1) * CacheGeometry.UnitsPerLine;
        for (int unit = firstUnit; unit < endUnit; unit++)
        {
            UnitTimeline? timeline = _units[unit];
            if (timeline is null || timeline.Pending.Count == 0)
            {
                continue;
            }

            timeline.FlushedCount = timeline.Pending.Count;
            timeline.FlushEvent = eventIndex;
            if (!timeline.IsListedFlushed)
            {
                timeline.IsListedFlushed = true;
                _flushedUnits.Add(unit);
            }
        }
    }

    public void ApplyFence(int eventIndex)
    {
        LastFenceEvent = eventIndex;
        if (_model == PmemModel.Arm64)
        {
            // Only what a flush covered since the last fence is made durable; later stores stay pending.
            foreach (int unit in _flushedUnits)
            {
                UnitTimeline timeline = _units[unit]!;
                Settle(unit, timeline, timeline.FlushedCount);
                timeline.FlushedCount = 0;
                timeline.FlushEvent = -1;
                timeline.IsListedFlushed = false;
            }

            _flushedUnits.Clear();
            DropSettledFromPending();
        }
        else
        {
            SettleEverything();
        }
    }

    /// <summary>Makes every store so far durable, whatever the model (the end of a scenario's set-up).</summary>
    public void SettleEverything()
    {
        foreach (int unit in _pendingUnits)
        {
            UnitTimeline timeline = _units[unit]!;
            Settle(unit, timeline, timeline.Pending.Count);
            timeline.FlushedCount = 0;
            timeline.FlushEvent = -1;
            timeline.IsListedFlushed = false;
            timeline.IsListedPending = false;
        }

        _pendingUnits.Clear();
        _flushedUnits.Clear();
    }

    private void Settle(int unit, UnitTimeline timeline, int count)
    {
        if (count == 0)
        {
            return;
        }

        Unsafe.WriteUnaligned(ref Floor.Span[unit * CacheGeometry.UnitSize], timeline.Pending[count - 1].Value);
        timeline.Pending.RemoveRange(0, count);
    }

    private void DropSettledFromPending()
    {
        _pendingUnits.RemoveAll(unit =>
        {
            UnitTimeline timeline = _units[unit]!;
            bool settled = timeline.Pending.Count == 0;
            if (settled)
            {
                timeline.IsListedPending = false;
            }

            return settled;
        });
    }
}
