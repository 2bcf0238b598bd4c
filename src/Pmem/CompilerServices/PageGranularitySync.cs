using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Pmem.Mapping;

namespace Pmem.CompilerServices;

/// <summary>
/// Makes the primitives correct on page-granularity mappings (ordinary files): <c>PmemFlush</c> remembers the pages
/// it covers, <c>PmemCommit</c> <c>msync</c>s them. While no such mapping is open both cost one load and a branch.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static unsafe class PageGranularitySync
{
    private static readonly Lock s_registryLock = new();
    private static volatile DirtyPages[] s_mappings = [];
    private static long s_syncedBytes;

    /// <summary>Bytes msynced by commits so far: what tests and diagnostics observe of this path.</summary>
    internal static long SyncedBytes => Interlocked.Read(ref s_syncedBytes);

    /// <summary>Remembers <paramref name="range"/> if it lies in a page-granularity mapping. Called by <c>PmemFlush</c>.</summary>
    /// <param name="range">The flushed bytes.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Track(ReadOnlySpan<byte> range)
    {
        if (s_mappings.Length != 0)
        {
            TrackSlow((nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(range)), (nuint)range.Length);
        }
    }

    /// <summary>msyncs what <see cref="Track"/> remembered. Called by <c>PmemCommit</c> after its fence.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Commit()
    {
        if (s_mappings.Length != 0)
        {
            CommitSlow();
        }
    }

    internal static void CountSynced(nuint bytes) => Interlocked.Add(ref s_syncedBytes, (long)bytes);

    internal static void Register(DirtyPages mapping)
    {
        lock (s_registryLock)
        {
            s_mappings = [.. s_mappings, mapping];
        }
    }

    internal static void Unregister(DirtyPages mapping)
    {
        lock (s_registryLock)
        {
            s_mappings = Array.FindAll(s_mappings, m => m != mapping);
        }
    }

    private static void TrackSlow(nuint address, nuint length)
    {
        foreach (DirtyPages mapping in s_mappings)
        {
            if (mapping.Contains(address))
            {
                mapping.Add(address, length);
                return;
            }
        }
    }

    private static void CommitSlow()
    {
        foreach (DirtyPages mapping in s_mappings)
        {
            mapping.Sync();
        }
    }
}
