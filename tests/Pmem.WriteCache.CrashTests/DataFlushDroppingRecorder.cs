using Pmem.Simulation;

namespace Pmem.WriteCache.CrashTests;

/// <summary>
/// A deliberately broken engine, for the negative control: forwards every store, flush and fence to the simulator
/// except the flushes of whole data blocks, as if <c>FlushEntry</c> forgot the data before the seq_count publish.
/// Correct on x86-64, where <c>PmemFlush</c> is empty; on ARM64 the data may never leave the CPU cache.
/// </summary>
internal sealed class DataFlushDroppingRecorder(IPmemRecorder simulator, int blockSize) : IPmemRecorder
{
    public int Dropped { get; private set; }

    public void OnStore(ReadOnlySpan<byte> location, PmemStoreKind kind) => simulator.OnStore(location, kind);

    public void OnFlush(ReadOnlySpan<byte> range)
    {
        if (range.Length == blockSize)
        {
            Dropped++;
            return;
        }

        simulator.OnFlush(range);
    }

    public void OnFence() => simulator.OnFence();
}
