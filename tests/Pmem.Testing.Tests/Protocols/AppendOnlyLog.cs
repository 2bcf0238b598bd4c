using System.Runtime.InteropServices;

namespace Pmem.Testing.Tests.Protocols;

/// <summary>
/// An append-only log of fixed-size entries in pmem: an 8-byte entry count in the first cache line, entries after it.
/// An entry is durable once the count that covers it is: write the entry, make it durable, then publish the count
/// with one failure-atomic <c>PmemAssign</c> and make that durable.
/// </summary>
internal readonly ref struct AppendOnlyLog
{
    /// <summary>Entries are 24 bytes, three 8-byte units, so some straddle cache lines.</summary>
    public const int EntrySize = 24;

    private const int EntriesOffset = 64;

    private readonly Span<byte> _pmem;
    private readonly LogFlaw _flaw;

    public AppendOnlyLog(Span<byte> pmem, LogFlaw flaw = LogFlaw.None)
    {
        _pmem = pmem;
        _flaw = flaw;
    }

    private ref ulong Count => ref MemoryMarshal.Cast<byte, ulong>(_pmem)[0];

    // The flawed variants skip a flush or a commit on purpose, so the simulator can show what each loses; the
    // analyzer rightly reports those paths.
#pragma warning disable PMEM001, PMEM002 // UnflushedWrite, UncommittedWrite
    public void Append(ReadOnlySpan<byte> entry)
    {
        int index = checked((int)Count);
        Span<byte> slot = _pmem.Slice(EntriesOffset + (index * EntrySize), EntrySize);
        SimPersist.PmemMemcpy(slot, entry);
        if (_flaw != LogFlaw.NoFlush)
        {
            SimPersist.PmemFlush(slot);
        }

        if (_flaw != LogFlaw.PublishBeforeCommit)
        {
            SimPersist.PmemCommit();
        }

        SimPersist.PmemAssign(ref Count, (ulong)index + 1);
        if (_flaw != LogFlaw.NoFlush)
        {
            SimPersist.PmemFlush(MemoryMarshal.AsBytes(new Span<ulong>(ref Count)));
        }

        if (_flaw != LogFlaw.NoFinalCommit)
        {
            SimPersist.PmemCommit();
        }
    }
#pragma warning restore PMEM001, PMEM002

    /// <summary>What recovery finds in a pmem image: the entries the count covers.</summary>
    public static List<byte[]> Recover(ReadOnlySpan<byte> image)
    {
        ulong count = MemoryMarshal.Read<ulong>(image);
        ulong capacity = (ulong)((image.Length - EntriesOffset) / EntrySize);
        if (count > capacity)
        {
            throw new InvalidDataException($"The log claims {count} entries; only {capacity} fit.");
        }

        var entries = new List<byte[]>((int)count);
        for (int index = 0; index < (int)count; index++)
        {
            entries.Add(image.Slice(EntriesOffset + (index * EntrySize), EntrySize).ToArray());
        }

        return entries;
    }
}
