using BenchmarkDotNet.Attributes;

namespace Pmem.Benchmarks.Infrastructure;

/// <summary>The setup every suite shares: a <see cref="PersistentTarget"/> mapped for the case being measured.</summary>
public abstract class PersistentTargetBenchmark : IDisposable
{
    private PersistentTarget? _target;

    /// <summary>The mapped target of the current case.</summary>
    internal PersistentTarget Target => _target ?? throw new InvalidOperationException("GlobalSetup has not run.");

    /// <summary>The copy size and destination pattern of the current case.</summary>
    protected abstract CopyCase TargetCase { get; }

    /// <summary>Maps the region for this case.</summary>
    [GlobalSetup]
    public void MapTarget() => _target = new PersistentTarget(TargetCase);

    /// <summary>Unmaps and deletes the region.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _target?.Dispose();
        _target = null;
        GC.SuppressFinalize(this);
    }
}
