using System.Diagnostics;
using Pmem.Simulation;

namespace Pmem.Testing.Recording;

/// <summary>
/// Receives the simulated primitives' reports for one scenario and keeps those that touch the simulated region.
/// Thread-safe: code under test may store from several threads or tasks, and the order the lock admits them in is
/// the program order the models reason about.
/// </summary>
internal sealed unsafe class ScenarioRecorder : IPmemRecorder
{
    private readonly Lock _gate = new();
    private readonly AlignedBuffer _region;
    private readonly byte[] _initial;
    private readonly bool _captureTraces;
    private readonly List<RecordedEvent> _events = [];
    private byte[] _data = new byte[4096];
    private int _dataLength;
    private int _stores;
    private int _ignoredStores;
    private bool _closed;

    public ScenarioRecorder(AlignedBuffer region, bool captureTraces)
    {
        _region = region;
        _initial = region.Span.ToArray();
        _captureTraces = captureTraces;
    }

    public void OnStore(ReadOnlySpan<byte> location, PmemStoreKind kind)
    {
        if (location.IsEmpty)
        {
            return;
        }

        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            if (!TryLocate(location, out int offset))
            {
                _ignoredStores++;
                return;
            }

            if (offset + location.Length > _region.Length)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(location),
                    $"A {location.Length}-byte store at offset {offset} runs past the end of the {_region.Length}-byte simulated pmem region.");
            }

            int dataStart = Append(location);
            _events.Add(new RecordedEvent(RecordedEventKind.Store, offset, location.Length, kind, dataStart, ++_stores, Fact: null, Trace()));
        }
    }

    public void OnFlush(ReadOnlySpan<byte> range)
    {
        if (range.IsEmpty)
        {
            return;
        }

        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            // A flush acts on whole lines, so clipping a range that straddles the region to its inside part loses
            // nothing the models care about; a range wholly outside flushes nothing that is simulated.
            long start = (long)(nint)AddressOf(range) - (long)(nint)_region.Pointer;
            long end = start + range.Length;
            long clippedStart = Math.Max(start, 0);
            long clippedEnd = Math.Min(end, _region.Length);
            if (clippedStart < clippedEnd)
            {
                _events.Add(new RecordedEvent(RecordedEventKind.Flush, (int)clippedStart, (int)(clippedEnd - clippedStart), default, 0, 0, Fact: null, Trace()));
            }
        }
    }

    public void OnFence() => Add(RecordedEventKind.Fence, fact: null);

    public void Acknowledge(object fact) => Add(RecordedEventKind.Acknowledge, fact);

    public void SetupComplete() => Add(RecordedEventKind.SetupComplete, fact: null);

    /// <summary>Stops recording: events reported later (by work the scenario left running) are ignored.</summary>
    public ScenarioRecording Close()
    {
        lock (_gate)
        {
            _closed = true;
            return new ScenarioRecording(_initial, _events.ToArray(), _data[.._dataLength], _ignoredStores);
        }
    }

    private void Add(RecordedEventKind kind, object? fact)
    {
        lock (_gate)
        {
            if (!_closed)
            {
                _events.Add(new RecordedEvent(kind, 0, 0, default, 0, 0, fact, Trace()));
            }
        }
    }

    private bool TryLocate(ReadOnlySpan<byte> location, out int offset)
    {
        long distance = (long)(nint)AddressOf(location) - (long)(nint)_region.Pointer;
        offset = (int)distance;
        return distance >= 0 && distance < _region.Length;
    }

    private static byte* AddressOf(ReadOnlySpan<byte> span)
    {
        fixed (byte* pointer = span)
        {
            // The span's memory is either the pinned simulated region or memory we only compare addresses with.
            return pointer;
        }
    }

    private int Append(ReadOnlySpan<byte> bytes)
    {
        if (_dataLength + bytes.Length > _data.Length)
        {
            Array.Resize(ref _data, Math.Max(_data.Length * 2, _dataLength + bytes.Length));
        }

        int start = _dataLength;
        bytes.CopyTo(_data.AsSpan(start));
        _dataLength += bytes.Length;
        return start;
    }

    private StackTrace? Trace() => _captureTraces ? new StackTrace(fNeedFileInfo: true) : null;
}
