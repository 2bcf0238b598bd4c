using System.Buffers.Binary;
using System.Globalization;
using Pmem.BlockDevices;
using Pmem.WriteCache.Format;

namespace Pmem.WriteCache.Tests;

/// <summary>
/// Hostile cache images: a populated cache's superblock and entries mutated field by field (edge values and random
/// ones), then inspected (<c>check</c>) and opened. Every mutant must give either a clear refusal that names what is
/// wrong — with neither the origin nor the cache written — or a served device equal to what an independent reading of
/// the image by the kernel's rules (<see cref="KernelImage"/>) gives; never another exception, a hang, or a
/// disagreement between <c>check</c> and the engine. <c>PMEM_MUTANTS=N</c> runs N mutants per mode (the long run).
/// </summary>
public sealed class MutantCacheTests
{
    private const int BlockSize = 4096;
    private const int SectorsPerBlock = BlockSize / 512;
    private const long OriginLength = 2 * Caches.MiB;
    private const long CacheLength = 256 * 1024;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>Words a refusal names: the field or entry at fault.</summary>
    private static readonly string[] s_namedFields =
        ["magic", "version", "Block size", "n_blocks", "seq_count", "Overflow", "entry", "entries", "sector"];

    public static TheoryData<WriteCacheMode> Modes => new() { WriteCacheMode.Pmem, WriteCacheMode.Ssd };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task EveryMutantIsRefusedByNameOrServedAsTheKernelReadsIt(WriteCacheMode mode)
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("PMEM_MUTANTS"), CultureInfo.InvariantCulture, out int n) ? n : 160;
        (byte[] image, byte[] origin) = await PopulatedCacheAsync(mode);
        var random = new Random(mode == WriteCacheMode.Pmem ? 1 : 2);
        int refused = 0, served = 0;
        for (int i = 0; i < count; i++)
        {
            byte[] mutant = (byte[])image.Clone();
            string mutation = Mutate(mutant, random);
            string context = $"mutant {i} ({mutation})";
            Expected expected = Judge(mutant, origin);
            bool engineRefused = await OpenAndCompareAsync(mode, mutant, origin, expected, context);
            bool checkRefused = await InspectAndCompareAsync(mutant, origin, expected, context);
            Assert.True(engineRefused == checkRefused, $"{context}: the engine {(engineRefused ? "refused" : "served")} but check {(checkRefused ? "refused" : "accepted")}");
            Assert.True(engineRefused == expected.Refused, $"{context}: expected {(expected.Refused ? "a refusal (" + expected.Why + ")" : "the device served")}");
            _ = engineRefused ? refused++ : served++;
        }

        // Both outcomes must be exercised, or the mutations are not testing what they claim to.
        Assert.True(refused > count / 10 && served > count / 10, $"refused {refused}, served {served}");
    }

    /// <summary>A cache with committed, overwritten (superseded, in pmem mode) and scattered blocks, cleanly closed.</summary>
    private static async Task<(byte[] Image, byte[] Origin)> PopulatedCacheAsync(WriteCacheMode mode)
    {
        using var media = new TestMedia();
        var origin = new MemoryBlockDevice(OriginLength);
        for (long block = 0; block < OriginLength / BlockSize; block++)
        {
            await origin.WriteAsync(block * BlockSize, Blocks.Make(block, 0));
        }

        // A high watermark of 100 keeps every block in the cache: writeback would make the image depend on timing.
        var options = new WriteCacheOptions(mode) { HighWatermark = 100, LowWatermark = 100 };
        var ssdCache = new MemoryBlockDevice(CacheLength);
        (WriteCacheDevice cache, string? path) = mode == WriteCacheMode.Pmem
            ? await Caches.Pmem(media, origin, CacheLength, options)
            : (await Caches.Ssd(origin, ssdCache, options), null);
        var random = new Random(7);
        for (int version = 1; version <= 3; version++)
        {
            for (int write = 0; write < 8; write++)
            {
                long block = random.Next(0, 24);
                await cache.WriteAsync(block * BlockSize, Blocks.Make(block, version));
            }

            await cache.FlushAsync();
        }

        await cache.DisposeAsync();
        byte[] image = path is null ? ssdCache.Contents.ToArray() : await File.ReadAllBytesAsync(path);
        return (image, origin.Contents.ToArray());
    }

    private static string Mutate(byte[] image, Random random)
    {
        Span<byte> area = image;
        long blocks = KernelImage.Blocks(area);
        ulong seqCount = KernelImage.SeqCount(area);
        switch (random.Next(9))
        {
            case 0:
                return Field(area, 0, 4, Pick(random, 0, KernelImage.Magic ^ 1, uint.MaxValue, (ulong)random.Next()), "magic");
            case 1:
                return Field(area, 4, 4, Pick(random, 0, 2, uint.MaxValue, 1), "version");
            case 2:
                return Field(area, 8, 4, Pick(random, 512, 8192, 0, 4096), "block_size");
            case 3:
                return Field(area, 12, 4, (ulong)random.Next(), "pad");
            case 4:
                return Field(area, 16, 8, Pick(random, 0, 1, (ulong)blocks - 1, (ulong)blocks + 1, ulong.MaxValue, ulong.MaxValue / 16, (ulong)random.NextInt64(0, blocks * 2)), "n_blocks");
            case 5:
                return Field(area, 24, 8, Pick(random, 0, 1, seqCount - 1, seqCount + 1, ulong.MaxValue, ulong.MaxValue - 1, 1UL << 63, (1UL << 63) + 1), "seq_count");
            case 6:
            {
                long entry = random.NextInt64(0, blocks);
                (ulong sector, _) = KernelImage.ReadEntry(area, entry);
                ulong originSectors = OriginLength / 512;
                ulong value = Pick(random, sector + 1, sector + SectorsPerBlock, originSectors, originSectors - SectorsPerBlock, ulong.MaxValue, 0, (ulong)random.NextInt64(0, (long)originSectors / SectorsPerBlock) * SectorsPerBlock);
                return Field(area, 64 + (16 * (int)entry), 8, value, $"entry {entry} original_sector");
            }

            case 7:
            {
                long entry = random.NextInt64(0, blocks);
                (_, ulong seq) = KernelImage.ReadEntry(area, entry);
                ulong value = Pick(random, 0, seqCount, seqCount + 1, seqCount - 1, ulong.MaxValue, seq + 1, seq == 0 ? 1 : seq - 1);
                return Field(area, 72 + (16 * (int)entry), 8, value, $"entry {entry} seq_count");
            }

            default:
            {
                // Another committed entry made a copy of an existing one: same sector, same or other sequence.
                long from = random.NextInt64(0, blocks), to = random.NextInt64(0, blocks);
                area.Slice(64 + (16 * (int)from), 16).CopyTo(area[(64 + (16 * (int)to))..]);
                return $"entry {to} := entry {from}";
            }
        }
    }

    private static ulong Pick(Random random, params ulong[] choices) => choices[random.Next(choices.Length)];

    private static string Field(Span<byte> area, int offset, int size, ulong value, string name)
    {
        if (size == 4)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(area[offset..], (uint)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(area[offset..], value);
        }

        return $"{name} := {value}";
    }

    /// <summary>What the kernel's rules (and the engine's documented stricter checks) make of an image.</summary>
    private sealed record Expected(bool Refused, string Why, byte[]? Contents = null, int DirtyBlocks = 0);

    private static Expected Judge(byte[] image, byte[] origin)
    {
        ReadOnlySpan<byte> area = image;
        if (BinaryPrimitives.ReadUInt32LittleEndian(area) != KernelImage.Magic)
        {
            return new(true, "magic");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(area[4..]) != 1)
        {
            return new(true, "version");
        }

        if (KernelImage.BlockSize(area) != BlockSize)
        {
            return new(true, "block size");
        }

        ulong blocks = (ulong)KernelImage.Blocks(area);
        UInt128 needed = ((UInt128)64 + (16 * (UInt128)blocks) + BlockSize - 1) / BlockSize * BlockSize + ((UInt128)blocks * BlockSize);
        if (blocks == 0 || needed > (UInt128)image.Length)
        {
            return new(true, "n_blocks");
        }

        ulong seqCount = KernelImage.SeqCount(area);
        if (seqCount > 1UL << 63)
        {
            return new(true, "seq_count");
        }

        var newest = new Dictionary<ulong, (long Index, ulong Seq)>();
        for (long i = 0; i < (long)blocks; i++)
        {
            (ulong sector, ulong seq) = KernelImage.ReadEntry(area, i);
            if (seq == KernelImage.Free || seq == seqCount)
            {
                continue;
            }

            if (seq > seqCount)
            {
                return new(true, $"entry {i} sequence beyond seq_count");
            }

            if (sector % SectorsPerBlock != 0 || sector >= (ulong)origin.Length / 512 || (ulong)origin.Length / 512 - sector < SectorsPerBlock)
            {
                return new(true, $"entry {i} sector outside the origin");
            }

            if (newest.TryGetValue(sector, out (long Index, ulong Seq) known))
            {
                if (known.Seq == seq)
                {
                    return new(true, $"entries {known.Index} and {i} identical");
                }

                if (known.Seq > seq)
                {
                    continue;
                }
            }

            newest[sector] = (i, seq);
        }

        byte[] contents = (byte[])origin.Clone();
        long dataStart = KernelImage.DataStart((long)blocks, BlockSize);
        foreach ((ulong sector, (long index, _)) in newest)
        {
            area.Slice((int)(dataStart + (index * BlockSize)), BlockSize).CopyTo(contents.AsSpan((int)(sector * 512)));
        }

        return new(false, "", contents, newest.Count);
    }

    /// <returns>Whether the engine refused the image.</returns>
    private static async Task<bool> OpenAndCompareAsync(WriteCacheMode mode, byte[] image, byte[] originBytes, Expected expected, string context)
    {
        using var media = new TestMedia();
        var origin = new FaultyBlockDevice(OriginLength);
        originBytes.CopyTo(origin.Contents);
        var options = new WriteCacheOptions(mode) { HighWatermark = 100, LowWatermark = 100 };
        string? path = null;
        MemoryBlockDevice? ssdCache = null;
        WriteCacheDevice cache;
        try
        {
            Task<WriteCacheDevice> open;
            if (mode == WriteCacheMode.Pmem)
            {
                path = media.NewPath();
                await File.WriteAllBytesAsync(path, image);
                open = Caches.ReopenPmem(path, origin, options);
            }
            else
            {
                ssdCache = new MemoryBlockDevice(image.Length);
                image.CopyTo(ssdCache.Contents);
                open = Caches.Ssd(origin, ssdCache, options);
            }

            cache = await open.WaitAsync(Bound);
        }
        catch (Exception e) when (e is WriteCacheConfigurationException or CacheCorruptException)
        {
            Assert.True(s_namedFields.Any(field => e.Message.Contains(field, StringComparison.OrdinalIgnoreCase)), $"{context}: the refusal names no field: {e.Message}");
            Assert.True(origin.Writes == 0, $"{context}: a refusal wrote to the origin");
            byte[] after = path is null ? ssdCache!.Contents.ToArray() : await File.ReadAllBytesAsync(path);
            Assert.True(after.AsSpan().SequenceEqual(image), $"{context}: a refusal changed the cache");
            return true;
        }

        try
        {
            if (expected.Contents is { } contents)
            {
                byte[] device = new byte[OriginLength];
                await cache.ReadAsync(0, device).AsTask().WaitAsync(Bound);
                Assert.True(device.AsSpan().SequenceEqual(contents), $"{context}: the served device differs from the kernel's reading of the image");
            }
        }
        finally
        {
            await cache.DisposeAsync().AsTask().WaitAsync(Bound);
        }

        return false;
    }

    /// <returns>Whether check refused the image.</returns>
    private static async Task<bool> InspectAndCompareAsync(byte[] image, byte[] origin, Expected expected, string context)
    {
        var device = new MemoryBlockDevice(image.Length);
        image.CopyTo(device.Contents);
        CacheInspection inspection;
        try
        {
            inspection = await CacheInspector.InspectAsync(device, 0, BlockSize, origin.Length).WaitAsync(Bound);
        }
        catch (WriteCacheConfigurationException)
        {
            return true;
        }

        if (inspection.Corruption is not null)
        {
            return true;
        }

        Assert.True(inspection.DirtyBlocks.Count == expected.DirtyBlocks, $"{context}: check lists {inspection.DirtyBlocks.Count} dirty blocks, the kernel's reading {expected.DirtyBlocks}");
        return false;
    }
}
