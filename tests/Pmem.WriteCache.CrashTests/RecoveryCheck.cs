using Pmem.BlockDevices;
using Pmem.Testing;
using Pmem.WriteCache.Format;

namespace Pmem.WriteCache.CrashTests;

/// <summary>
/// The check side of a crash test: opens a fresh engine over the crash image in front of the origin as it was at the
/// crash, reads every block through it, and compares each with what the acknowledged facts allow.
/// </summary>
/// <remarks>
/// The origin is checked at both ends of what the block layer allows: only what FUA or a flush made durable (the
/// writes in between lost), and every completed write (all of them persisted anyway). One check object serves one
/// exploration; images are checked one at a time, so its buffers are reused.
/// </remarks>
internal sealed class RecoveryCheck : IAsyncDisposable
{
    private readonly CacheSetup _setup;
    private readonly MemoryBlockDevice _origin;
    private readonly byte[] _image;
    private IReadOnlyList<object>? _factsOfExpected;
    private ExpectedContents? _expected;

    public RecoveryCheck(CacheSetup setup)
    {
        _setup = setup;
        _origin = new MemoryBlockDevice((long)setup.OriginBlocks * setup.BlockSize);
        _image = new byte[setup.RegionSize];
    }

    /// <summary>Fails unless every block reads as its durable version or a newer issued one, whatever the origin kept.</summary>
    /// <returns>The recovery in front of the durable origin.</returns>
    public async Task<RecoveredCache> CheckAsync(CrashImage image)
    {
        ExpectedContents expected = ExpectedAt(image);
        OriginState origin = image.Acknowledged.OfType<OriginState>().Last();
        image.Bytes.CopyTo(_image);
        RecoveredCache recovered = await RecoverAsync(image, origin.Durable);
        Verify(expected, recovered, "an origin holding only what FUA and flushes made durable");
        if (!origin.Written.AsSpan().SequenceEqual(origin.Durable))
        {
            _image.CopyTo(image.Bytes); // recovery and its writeback changed the image: start again from the crash
            Verify(expected, await RecoverAsync(image, origin.Written), "an origin holding every completed write");
        }

        return recovered;
    }

    public ValueTask DisposeAsync() => _origin.DisposeAsync();

    /// <summary>What each block may hold at the image's crash point (computed once per crash point).</summary>
    public ExpectedContents ExpectedAt(CrashImage image)
    {
        if (!ReferenceEquals(image.Acknowledged, _factsOfExpected))
        {
            _expected = ExpectedContents.From(image.Acknowledged, _setup.OriginBlocks);
            _factsOfExpected = image.Acknowledged;
        }

        return _expected!;
    }

    /// <summary>Opens the engine over <paramref name="image"/> with the origin holding <paramref name="originContents"/>, and reads the whole device.</summary>
    public async Task<RecoveredCache> RecoverAsync(CrashImage image, byte[] originContents)
    {
        int committed = CommittedEntries(image);
        originContents.CopyTo(_origin.Contents);
        using PmemCacheMedia media = SimulatedMedia.Over(image);
        await using WriteCacheDevice cache = await WriteCacheDevice.OpenPmemAsync(_origin, media, _setup.Options, "origin");
        byte[] contents = new byte[_origin.Length];
        await cache.ReadAsync(0, contents);
        return new RecoveredCache(contents, committed, _setup.BlockSize);
    }

    /// <summary>Committed entries in an image, by the format's rule (seq_count below the superblock's); 0 if it is not formatted.</summary>
    public static int CommittedEntries(CrashImage image)
    {
        ref Superblock superblock = ref image.AsRef<Superblock>(0);
        if (superblock.Magic != Superblock.MagicValue)
        {
            return 0;
        }

        int committed = 0;
        for (long i = 0; i < (long)superblock.NBlocks; i++)
        {
            committed += image.AsRef<MemoryEntry>((int)CacheLayout.EntryOffset(i)).SeqCount < superblock.SeqCount ? 1 : 0;
        }

        return committed;
    }

    private static void Verify(ExpectedContents expected, RecoveredCache recovered, string originModel)
    {
        var wrong = new List<string>();
        for (long block = 0; block < recovered.Blocks; block++)
        {
            if (expected.Check(block, recovered.Block(block)) is { } problem)
            {
                wrong.Add(problem);
            }
        }

        if (wrong.Count != 0)
        {
            Assert.Fail($"After recovery with {originModel}, {wrong.Count} block(s) are wrong: {string.Join("; ", wrong.Take(4))}");
        }
    }
}
