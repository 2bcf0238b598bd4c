using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

// Sentinel bytes around each copy are set with plain stores on purpose: the tests check that the primitives touch
// exactly their range, and the sentinels need not be durable.
#pragma warning disable PMEM004

namespace Pmem.Tests;

/// <summary>
/// The generated primitives of the build's target on real mapped memory. Run on x86-64 by the normal test run and
/// under qemu-aarch64 by the ARM64 run, so both sequences execute.
/// </summary>
public sealed class PrimitivesTests : IDisposable
{
    private const int RegionSize = 4 << 20;
    private readonly TempFiles _files = TempFiles.OnTmpfs();
    private readonly PmemRegion _region;

    public PrimitivesTests() =>
        _region = PmemRegion.Create(_files.File("pool"), RegionSize, new PmemMapOptions { AllowEmulatedPmem = true });

    [Fact]
    public void CopiesEverySizeFromZeroTo4096AtRandomAlignments()
    {
        var random = new Random(4096);
        byte[] source = new byte[4096 + 64];
        random.NextBytes(source);
        Span<byte> pool = _region.Slice(0, 1 << 20);
        for (int size = 0; size <= 4096; size++)
        {
            int sourceOffset = random.Next(64);
            int destinationOffset = random.Next(4096);
            Span<byte> destination = pool.Slice(destinationOffset, size + 128);
            destination.Fill(0xEE);

            Persist.PmemMemcpy(destination.Slice(64), source.AsSpan(sourceOffset, size));
            Persist.PmemFlush(destination.Slice(64, size));
            Persist.PmemCommit();

            AssertCopiedBetweenSentinels(destination, source.AsSpan(sourceOffset, size), $"size {size}");
        }
    }

    [Fact]
    public void CopiesEverySizeUpToTwoLinesAtEveryDestinationAlignment()
    {
        // Sub-line pieces take non-temporal 8-byte stores when the destination and length are multiples of 8, and the
        // cache otherwise: every combination of size and alignment up to two lines crosses between the two.
        byte[] source = new byte[128];
        new Random(128).NextBytes(source);
        Span<byte> pool = _region.Slice(1 << 20, 4096);
        for (int size = 0; size <= 128; size++)
        {
            for (int alignment = 0; alignment < 64; alignment++)
            {
                Span<byte> destination = pool.Slice(alignment, size + 128);
                destination.Fill(0xEE);

                Persist.PmemMemcpy(destination.Slice(64), source.AsSpan(0, size));
                Persist.PmemFlush(destination.Slice(64, size));
                Persist.PmemCommit();

                AssertCopiedBetweenSentinels(destination, source.AsSpan(0, size), $"size {size} at +{alignment}");
            }
        }
    }

    [Theory]
    [InlineData(64 << 10, 0, 0)]
    [InlineData((1 << 20) + 17, 3, 61)]
    [InlineData(3 << 20, 63, 1)]
    public void CopiesLargeBuffersAtAnyAlignment(int size, int sourceOffset, int destinationOffset)
    {
        byte[] source = new byte[size + sourceOffset];
        new Random(size).NextBytes(source);
        Span<byte> destination = _region.Slice(destinationOffset, size);

        Persist.PmemMemcpy(destination, source.AsSpan(sourceOffset));
        Persist.PmemFlush(destination);
        Persist.PmemCommit();

        Assert.True(destination.SequenceEqual(source.AsSpan(sourceOffset)));
    }

    [Fact]
    public void CopyIntoALongerDestinationTouchesOnlyTheSourceLength()
    {
        Span<byte> destination = _region.Slice(100, 1000);
        destination.Fill(7);
        Persist.PmemMemcpy(destination, new byte[300]);
        Persist.PmemFlush(destination[..300]);
        Persist.PmemCommit();
        Assert.True(destination[..300].IndexOfAnyExcept((byte)0) < 0);
        Assert.True(destination[300..].IndexOfAnyExcept((byte)7) < 0);
    }

    [Fact]
    public void CopyIntoAShorterDestinationThrowsAndWritesNothing()
    {
        Span<byte> destination = _region.Slice(0, 16);
        destination.Clear();
        try
        {
            // A copy that must fail before it stores anything: there is nothing to flush or commit.
#pragma warning disable PMEM001, PMEM002
            Persist.PmemMemcpy(_region.Slice(0, 16), new byte[17]);
#pragma warning restore PMEM001, PMEM002
            Assert.Fail("expected ArgumentException");
        }
        catch (ArgumentException e)
        {
            Assert.Contains("shorter than the source", e.Message);
        }

        Assert.True(_region.Slice(0, 16).IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void AssignStoresEveryWidth()
    {
        Persist.PmemAssign(ref _region.AsRef<ulong>(0), 0x0102030405060708UL);
        Persist.PmemAssign(ref _region.AsRef<long>(8), -2L);
        Persist.PmemAssign(ref _region.AsRef<uint>(16), 0xA1B2C3D4u);
        Persist.PmemAssign(ref _region.AsRef<int>(20), -3);
        Persist.PmemAssign(ref _region.AsRef<ushort>(24), (ushort)0xBEEF);
        Persist.PmemAssign(ref _region.AsRef<short>(26), (short)-4);
        Persist.PmemAssign(ref _region.AsRef<byte>(29), (byte)0x5A);
        Persist.PmemFlush(_region.Slice(0, 32));
        Persist.PmemCommit();

        Assert.Equal(
            Convert.FromHexString("0807060504030201" + "FEFFFFFFFFFFFFFF" + "D4C3B2A1" + "FDFFFFFF" + "EFBE" + "FCFF" + "005A0000"),
            _region.Slice(0, 32).ToArray());
    }

    [Fact]
    public void AssignToAMisalignedLocationThrowsAndStoresNothing()
    {
        Persist.PmemMemcpy(_region.Slice(0, 16), new byte[16]);
        Persist.PmemFlush(_region.Slice(0, 16));
        Persist.PmemCommit();

        // Misaligned on purpose: the analyzer proves these can tear (PMEM003), the runtime must refuse them.
#pragma warning disable PMEM001, PMEM002, PMEM003
        Assert.Throws<DataMisalignedException>(() => Persist.PmemAssign(ref Unsafe.As<byte, ulong>(ref Unsafe.Add(ref MemoryMarshal.GetReference(_region.Slice(0, 16)), 4)), 1UL));
        Assert.Throws<DataMisalignedException>(() => Persist.PmemAssign(ref Unsafe.As<byte, uint>(ref Unsafe.Add(ref MemoryMarshal.GetReference(_region.Slice(0, 16)), 2)), 1u));
        Assert.Throws<DataMisalignedException>(() => Persist.PmemAssign(ref Unsafe.As<byte, ushort>(ref Unsafe.Add(ref MemoryMarshal.GetReference(_region.Slice(0, 16)), 1)), (ushort)1));
#pragma warning restore PMEM001, PMEM002, PMEM003
        Assert.True(_region.Slice(0, 16).IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void DataSurvivesUnmapAndRemap()
    {
        string path = _files.File("remap");
        byte[] data = new byte[100_000];
        new Random(7).NextBytes(data);
        using (PmemRegion region = PmemRegion.Create(path, 1 << 20, new PmemMapOptions { AllowEmulatedPmem = true }))
        {
            Persist.PmemMemcpy(region.Slice(12345, data.Length), data);
            Persist.PmemFlush(region.Slice(12345, data.Length));
            Persist.PmemCommit();
            Persist.PmemAssign(ref region.AsRef<ulong>(0), 12345UL);
            Persist.PmemFlush(region.Slice(0, 8));
            Persist.PmemCommit();
        }

        using PmemRegion reopened = PmemRegion.Open(path, new PmemMapOptions { AllowEmulatedPmem = true });
        Assert.Equal(12345UL, reopened.AsRef<ulong>(0));
        Assert.True(reopened.Slice(12345, data.Length).SequenceEqual(data));
        Assert.True(File.ReadAllBytes(path).AsSpan(12345, data.Length).SequenceEqual(data));
    }

    [Fact]
    public void AnEmptyFlushAndARedundantCommitAreHarmless()
    {
        Persist.PmemMemcpy([], []);
        Persist.PmemFlush([]);
        Persist.PmemCommit();
        Persist.PmemCommit();
    }

    /// <summary>The copy sits at offset 64 of <paramref name="destination"/>, with 0xEE sentinels untouched on both sides.</summary>
    private static void AssertCopiedBetweenSentinels(ReadOnlySpan<byte> destination, ReadOnlySpan<byte> copied, string what)
    {
        Assert.True(destination.Slice(64, copied.Length).SequenceEqual(copied), $"{what}: copy differs");
        Assert.True(destination[..64].IndexOfAnyExcept((byte)0xEE) < 0, $"{what}: bytes before the destination changed");
        Assert.True(destination.Slice(64 + copied.Length).IndexOfAnyExcept((byte)0xEE) < 0, $"{what}: bytes after the copy changed");
    }

    public void Dispose()
    {
        _region.Dispose();
        _files.Dispose();
    }
}
