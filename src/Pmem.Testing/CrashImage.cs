using Pmem.Testing.Exploration;

namespace Pmem.Testing;

/// <summary>
/// One memory image a power failure could leave in the simulated region, handed to the check. The image is a fresh
/// copy for every check, so the check may write to it (recovery usually does); it is only valid during the check.
/// </summary>
public sealed unsafe class CrashImage
{
    private readonly AlignedBuffer _buffer;

    internal CrashImage(PmemModel model, int length)
    {
        Model = model;
        _buffer = new AlignedBuffer(length);
        CrashPoint = new CrashPoint(0, CrashPointKind.EndOfScenario, 0, 0, null);
    }

    /// <summary>The persistence model that admits this image.</summary>
    public PmemModel Model { get; }

    /// <summary>Where the power failed.</summary>
    public CrashPoint CrashPoint { get; private set; }

    /// <summary>1-based number of this image among those checked at <see cref="CrashPoint"/>.</summary>
    public long ImageNumber { get; private set; }

    /// <summary>How many images are possible at <see cref="CrashPoint"/> (saturates at <see cref="long.MaxValue"/>).</summary>
    public long PossibleImages { get; private set; }

    /// <summary>Whether the images at this crash point are a random sample rather than all of them.</summary>
    public bool IsSampled { get; private set; }

    /// <summary>
    /// What the scenario had acknowledged (<see cref="SimulatedPmem.Acknowledge"/>) before the crash point, in order:
    /// what recovery must find.
    /// </summary>
    public IReadOnlyList<object> Acknowledged { get; private set; } = [];

    /// <summary>The image's size in bytes (the region size).</summary>
    public int Length => _buffer.Length;

    /// <summary>The image, writable, 4096-byte aligned like the simulated region.</summary>
    public Span<byte> Bytes => _buffer.Span;

    /// <summary>The image as <see cref="Memory{T}"/>, for asynchronous recovery code.</summary>
    public Memory<byte> Memory => _buffer.Memory;

    /// <summary>The image's first byte, pinned for the duration of the check: construct pointer-based objects over it.</summary>
    public byte* Pointer => _buffer.Pointer;

    /// <summary>A reference to the <typeparamref name="T"/> at <paramref name="offset"/> (aligned as <c>PmemAssign</c> requires).</summary>
    /// <typeparam name="T">An unmanaged type.</typeparam>
    /// <param name="offset">Byte offset in the image.</param>
    /// <returns>The reference.</returns>
    public ref T AsRef<T>(int offset)
        where T : unmanaged
        => ref _buffer.AsRef<T>(offset);

    /// <summary>A copy of the image that outlives the check.</summary>
    /// <returns>The copy.</returns>
    public byte[] ToArray() => _buffer.Span.ToArray();

    /// <inheritdoc/>
    public override string ToString() => $"{Model} image {ImageNumber} of {(IsSampled ? $"a sample of {PossibleImages}" : PossibleImages)} at {CrashPoint}";

    internal void StartCrashPoint(CrashPoint crashPoint, IReadOnlyList<object> acknowledged, long possibleImages, bool sampled)
    {
        CrashPoint = crashPoint;
        Acknowledged = acknowledged;
        PossibleImages = possibleImages;
        IsSampled = sampled;
        ImageNumber = 0;
    }

    /// <summary>Writes the image: the guaranteed contents, then the chosen version of each undetermined unit.</summary>
    internal void Build(PersistenceState state, int[] units, int[] choices)
    {
        Span<byte> bytes = _buffer.Span;
        state.Floor.Span.CopyTo(bytes);
        for (int i = 0; i < units.Length; i++)
        {
            int chosen = choices[i];
            if (chosen > 0)
            {
                ulong value = state.Timeline(units[i]).Pending[chosen - 1].Value;
                System.Runtime.CompilerServices.Unsafe.WriteUnaligned(ref bytes[units[i] * CacheGeometry.UnitSize], value);
            }
        }
    }

    internal void AdvanceImageNumber() => ImageNumber++;
}
