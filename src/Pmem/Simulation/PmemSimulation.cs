using System.Runtime.InteropServices;

namespace Pmem.Simulation;

/// <summary>
/// The hook between primitives generated for <see cref="PmemTarget.Simulated"/> and a recorder such as
/// <c>Pmem.Testing</c>'s crash simulator.
/// </summary>
/// <remarks>
/// The recorder flows with the execution context (<see cref="AsyncLocal{T}"/>), so tests running in parallel
/// each see their own, and work started with <c>Task.Run</c> inside a recorded scenario is recorded too.
/// With no recorder installed, simulated primitives behave like plain memory operations.
/// </remarks>
public static class PmemSimulation
{
    private static readonly AsyncLocal<IPmemRecorder?> s_recorder = new();

    /// <summary>The recorder for the current execution context, or <see langword="null"/>.</summary>
    public static IPmemRecorder? Recorder => s_recorder.Value;

    /// <summary>Installs <paramref name="recorder"/> until the returned scope is disposed.</summary>
    /// <param name="recorder">The recorder that receives stores, flushes and fences.</param>
    /// <returns>A scope that restores the previous recorder.</returns>
    public static RecordingScope Record(IPmemRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        IPmemRecorder? previous = s_recorder.Value;
        s_recorder.Value = recorder;
        return new RecordingScope(previous);
    }

    /// <summary>Reports a store. Called by generated code.</summary>
    /// <param name="location">The bytes just written.</param>
    /// <param name="kind">How they were written.</param>
    public static void Store(ReadOnlySpan<byte> location, PmemStoreKind kind) => s_recorder.Value?.OnStore(location, kind);

    /// <summary>Reports an atomic store of <typeparamref name="T"/> at <paramref name="location"/>. Called by generated code.</summary>
    /// <typeparam name="T">The stored integer type.</typeparam>
    /// <param name="location">The location just written.</param>
    public static void Assign<T>(ref T location)
        where T : unmanaged
        => s_recorder.Value?.OnStore(MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref location, 1)), PmemStoreKind.Assign);

    /// <summary>Reports a flush. Called by generated code.</summary>
    /// <param name="range">The flushed range.</param>
    public static void Flush(ReadOnlySpan<byte> range) => s_recorder.Value?.OnFlush(range);

    /// <summary>Reports a fence. Called by generated code.</summary>
    public static void Fence() => s_recorder.Value?.OnFence();

    /// <summary>Restores the previously installed recorder when disposed.</summary>
    public readonly struct RecordingScope : IDisposable
    {
        private readonly IPmemRecorder? _previous;

        internal RecordingScope(IPmemRecorder? previous) => _previous = previous;

        /// <summary>Restores the recorder that was installed before this scope.</summary>
        public void Dispose() => s_recorder.Value = _previous;
    }
}
