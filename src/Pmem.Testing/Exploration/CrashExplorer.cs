using System.Diagnostics;
using Pmem.Testing.Recording;

namespace Pmem.Testing.Exploration;

/// <summary>
/// Replays a recording under a model and yields every image to check, crash point by crash point, reusing one image
/// buffer. The caller runs the check (synchronously or not) and reports failures back, so the counterexample is built
/// while the replay still knows why each store was not durable.
/// </summary>
internal sealed class CrashExplorer
{
    private readonly ScenarioRecording _recording;
    private readonly PmemModel _model;
    private readonly CrashSimulationOptions _options;
    private readonly PersistenceState _state;
    private readonly CrashImage _image;
    private readonly SourceLocation?[] _locations;
    private readonly bool[] _locationResolved;
    private readonly Stopwatch _stopwatch = new();
    private int[] _units = [];
    private ImageChoices? _choices;

    public CrashExplorer(ScenarioRecording recording, PmemModel model, CrashSimulationOptions options)
    {
        _recording = recording;
        _model = model;
        _options = options;
        _state = new PersistenceState(model, recording.Initial);
        _image = new CrashImage(model, recording.Initial.Length);
        _locations = new SourceLocation?[recording.Events.Count];
        _locationResolved = new bool[recording.Events.Count];
        Result = new CrashExploration(model, options.Seed)
        {
            Stores = recording.Count(RecordedEventKind.Store),
            Flushes = recording.Count(RecordedEventKind.Flush),
            Fences = recording.Count(RecordedEventKind.Fence),
            IgnoredStores = recording.IgnoredStores,
        };
    }

    public CrashExploration Result { get; }

    /// <summary>Whether exploration should end (a failure with <see cref="CrashSimulationOptions.StopAtFirstFailure"/>).</summary>
    public bool Stopped => _options.StopAtFirstFailure && Result.Failures > 0;

    public IEnumerable<CrashImage> Images()
    {
        _stopwatch.Start();
        IReadOnlyList<RecordedEvent> events = _recording.Events;
        int lastSetup = LastIndexOf(RecordedEventKind.SetupComplete);
        var acknowledged = new List<object>();
        int crashPoints = 0;
        for (int index = 0; index < events.Count && !Stopped; index++)
        {
            RecordedEvent recorded = events[index];
            switch (recorded.Kind)
            {
                case RecordedEventKind.Store:
                    _state.ApplyStore(recorded, index, _recording.DataOf(recorded));
                    if (_options.CrashAfterEveryStore && index > lastSetup)
                    {
                        var afterStore = new CrashPoint(++crashPoints, CrashPointKind.AfterStore, index, recorded.StoreNumber, LocationOf(index));
                        foreach (CrashImage image in ImagesAt(afterStore, acknowledged))
                        {
                            yield return image;
                        }
                    }

                    break;
                case RecordedEventKind.Flush:
                    _state.ApplyFlush(recorded, index);
                    break;
                case RecordedEventKind.Fence:
                    if (index > lastSetup)
                    {
                        var beforeCommit = new CrashPoint(++crashPoints, CrashPointKind.BeforeCommit, index, 0, LocationOf(index));
                        foreach (CrashImage image in ImagesAt(beforeCommit, acknowledged))
                        {
                            yield return image;
                        }
                    }

                    _state.ApplyFence(index);
                    break;
                case RecordedEventKind.Acknowledge:
                    acknowledged.Add(recorded.Fact!);
                    break;
                case RecordedEventKind.SetupComplete:
                    _state.SettleEverything();
                    break;
            }
        }

        if (!Stopped)
        {
            var end = new CrashPoint(++crashPoints, CrashPointKind.EndOfScenario, events.Count, 0, null);
            foreach (CrashImage image in ImagesAt(end, acknowledged))
            {
                yield return image;
            }
        }

        _stopwatch.Stop();
        Result.Elapsed = _stopwatch.Elapsed;
    }

    /// <summary>Records that the check rejected the current image; keeps the first counterexample.</summary>
    public void ReportFailure(Exception failure)
    {
        Result.Failures++;
        if (Result.FirstFailure is not null)
        {
            return;
        }

        // The check may have written to the image (recovery does): report the image as it was handed over.
        _image.Build(_state, _units, _choices!.Current);
        Result.FirstFailure = new CrashCounterexample(_image, _options.Seed, DescribeUndeterminedStores(), failure);
    }

    private IEnumerable<CrashImage> ImagesAt(CrashPoint crashPoint, List<object> acknowledged)
    {
        _units = [.. _state.PendingUnits];
        int[] radix = new int[_units.Length];
        for (int i = 0; i < _units.Length; i++)
        {
            radix[i] = _state.Timeline(_units[i]).Pending.Count + 1;
        }

        // Each crash point has its own generator, so its sample does not depend on how many images earlier points drew.
        var random = new Random(unchecked(_options.Seed * 486187739 + crashPoint.Number));
        _choices = new ImageChoices(radix, _options.ExhaustiveLimit, _options.SamplesPerCrashPoint, random);
        Result.CrashPoints++;
        if (_choices.IsSampled)
        {
            Result.SampledCrashPoints++;
        }
        else
        {
            Result.ExhaustiveCrashPoints++;
        }

        _image.StartCrashPoint(crashPoint, acknowledged.ToArray(), _choices.PossibleImages, _choices.IsSampled);
        while (!Stopped && _choices.MoveNext())
        {
            _image.Build(_state, _units, _choices.Current);
            _image.AdvanceImageNumber();
            Result.ImagesChecked++;
            yield return _image;
        }
    }

    private List<StoreOutcome> DescribeUndeterminedStores()
    {
        // Per store: how many of its pending units the image kept, how many it dropped, and whether all were flushed.
        var tallies = new SortedDictionary<int, StoreTally>();
        for (int i = 0; i < _units.Length; i++)
        {
            UnitTimeline timeline = _state.Timeline(_units[i]);
            int chosen = _choices!.Current[i];
            for (int version = 0; version < timeline.Pending.Count; version++)
            {
                int storeEvent = timeline.Pending[version].StoreEvent;
                StoreTally tally = tallies.TryGetValue(storeEvent, out StoreTally existing) ? existing : new StoreTally(FlushEvent: -1);
                bool flushed = version < timeline.FlushedCount;
                tallies[storeEvent] = tally with
                {
                    Kept = tally.Kept + (version < chosen ? 1 : 0),
                    Dropped = tally.Dropped + (version < chosen ? 0 : 1),
                    Unflushed = tally.Unflushed + (flushed ? 0 : 1),
                    FlushEvent = flushed ? timeline.FlushEvent : tally.FlushEvent,
                };
            }
        }

        var outcomes = new List<StoreOutcome>(tallies.Count);
        foreach ((int storeEvent, StoreTally tally) in tallies)
        {
            RecordedEvent store = _recording.Events[storeEvent];
            StoreFate fate = tally.Dropped == 0 ? StoreFate.Persisted : tally.Kept == 0 ? StoreFate.Lost : StoreFate.Torn;
            outcomes.Add(new StoreOutcome(store.StoreNumber, store.Primitive, store.Offset, store.Length, fate, LocationOf(storeEvent), WhyNotDurable(storeEvent, tally)));
        }

        return outcomes;
    }

    /// <summary>Names the flush or commit the store still needed, in the terms of the model.</summary>
    private string WhyNotDurable(int storeEvent, StoreTally tally)
    {
        CrashPoint crashPoint = _image.CrashPoint;
        string crashCommit = Describe(crashPoint.EventIndex);
        if (_model == PmemModel.Arm64)
        {
            if (tally.Unflushed == 0)
            {
                return crashPoint.Kind == CrashPointKind.BeforeCommit
                    ? $"flushed by the PmemFlush at {Describe(tally.FlushEvent)}; the PmemCommit at {crashCommit} that makes it durable had not completed"
                    : $"flushed by the PmemFlush at {Describe(tally.FlushEvent)} but no PmemCommit followed (missing PmemCommit)";
            }

            if (_state.LastFenceEvent > storeEvent)
            {
                return $"its cache line was not flushed before the PmemCommit at {Describe(_state.LastFenceEvent)}, so that commit did not make it durable (missing PmemFlush)";
            }

            return crashPoint.Kind switch
            {
                CrashPointKind.BeforeCommit => $"its cache line was not flushed, so even the PmemCommit at {crashCommit} would not make it durable (missing PmemFlush)",
                CrashPointKind.EndOfScenario => "neither flushed nor committed before the end of the scenario (missing PmemFlush and PmemCommit)",
                _ => "not flushed and committed yet",
            };
        }

        return crashPoint.Kind switch
        {
            CrashPointKind.BeforeCommit => $"made after the last PmemCommit; the PmemCommit at {crashCommit} had not completed",
            CrashPointKind.EndOfScenario => "no PmemCommit followed it before the end of the scenario (missing PmemCommit)",
            _ => "no PmemCommit between it and the crash",
        };
    }

    private string Describe(int eventIndex) => LocationOf(eventIndex)?.ToString() ?? $"event {eventIndex}";

    private SourceLocation? LocationOf(int eventIndex)
    {
        if (eventIndex < 0 || eventIndex >= _locations.Length)
        {
            return null;
        }

        // Resolving a stack trace is the slow part; only reports and crash points need it, so do it once, on demand.
        if (!_locationResolved[eventIndex])
        {
            _locations[eventIndex] = SourceLocation.FromTrace(_recording.Events[eventIndex].Trace);
            _locationResolved[eventIndex] = true;
        }

        return _locations[eventIndex];
    }

    private int LastIndexOf(RecordedEventKind kind)
    {
        for (int index = _recording.Events.Count - 1; index >= 0; index--)
        {
            if (_recording.Events[index].Kind == kind)
            {
                return index;
            }
        }

        return -1;
    }

    private readonly record struct StoreTally(int FlushEvent, int Kept = 0, int Dropped = 0, int Unflushed = 0);
}
