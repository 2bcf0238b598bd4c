namespace Pmem.Tests;

public sealed class PmemRegionTests : IDisposable
{
    private static readonly PmemMapOptions Emulated = new() { AllowEmulatedPmem = true };
    private readonly TempFiles _tmpfs = TempFiles.OnTmpfs();
    private readonly TempFiles _disk = TempFiles.OnDisk();

    [Fact]
    public void TmpfsIsCacheLineGranularityOnlyWhenTheCallerOptsIn()
    {
        using (PmemRegion optedIn = PmemRegion.Create(_tmpfs.File("a"), 1 << 16, Emulated))
        {
            Assert.Equal(PersistenceGranularity.CacheLine, optedIn.Granularity);
            Assert.True(optedIn.IsEmulated);
            Assert.False(optedIn.IsMapSync);
        }

        using PmemRegion plain = PmemRegion.Create(_tmpfs.File("b"), 1 << 16);
        Assert.Equal(PersistenceGranularity.Page, plain.Granularity);
        Assert.False(plain.IsEmulated);
    }

    [Fact]
    public void AnOrdinaryFileHasPageGranularityEvenWithTheOptIn()
    {
        using PmemRegion region = PmemRegion.Create(_disk.File("a"), 1 << 16, Emulated);
        Assert.SkipWhen(IsTmpfs(_disk.Root), $"{_disk.Root} is itself on tmpfs here");
        Assert.Equal(PersistenceGranularity.Page, region.Granularity);
        Assert.False(region.IsMapSync);
    }

    [Fact]
    public void RequireDaxFailsClearlyOnAFileThatIsNotDax()
    {
        var e = Assert.Throws<IOException>(() => PmemRegion.Create(_tmpfs.File("a"), 4096, new PmemMapOptions { RequireDax = true }));
        Assert.Contains("MAP_SYNC", e.Message);
        Assert.Contains("not a file on a DAX file system", e.Message);
    }

    [Fact]
    public void CreateNeverOverwritesAnExistingFile()
    {
        string path = _tmpfs.File("existing");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Throws<IOException>(() => PmemRegion.Create(path, 4096, Emulated));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
    }

    [Fact]
    public void CreateAllocatesTheWholeFileAndZeroesIt()
    {
        using PmemRegion region = PmemRegion.Create(_tmpfs.File("a"), 3 << 20, Emulated);
        Assert.Equal(3 << 20, region.Length);
        Assert.Equal(3 << 20, new FileInfo(region.Path).Length);
        Assert.True(region.Span.IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void OpenMapsTheWholeExistingFile()
    {
        string path = _tmpfs.File("a");
        File.WriteAllBytes(path, Enumerable.Range(0, 8192).Select(i => (byte)i).ToArray());
        using PmemRegion region = PmemRegion.Open(path, Emulated);
        Assert.Equal(8192, region.Length);
        Assert.Equal(255, region.Span[255]);
        Assert.Equal(3, region.Slice(4099, 1)[0]);
    }

    [Fact]
    public void OpenRefusesAMissingOrEmptyFile()
    {
        Assert.Throws<FileNotFoundException>(() => PmemRegion.Open(_tmpfs.File("missing")));
        File.WriteAllBytes(_tmpfs.File("empty"), []);
        var e = Assert.Throws<IOException>(() => PmemRegion.Open(_tmpfs.File("empty")));
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void SliceAndAsRefCheckBoundsAndAlignment()
    {
        using PmemRegion region = PmemRegion.Create(_tmpfs.File("a"), 4096, Emulated);
        Assert.Throws<ArgumentOutOfRangeException>(() => region.Slice(4000, 97));
        Assert.Throws<ArgumentOutOfRangeException>(() => region.Slice(-1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => region.AsRef<ulong>(4090));
        Assert.Throws<ArgumentException>(() => region.AsRef<ulong>(4));
        Persist.PmemAssign(ref region.AsRef<ulong>(8), 42UL);
        Persist.PmemFlush(region.Slice(8, 8));
        Persist.PmemCommit();
        Assert.Equal(42, region.Span[8]);
        Assert.Equal(4096, region.Slice(0, 4096).Length);
    }

    [Fact]
    public void DisposeUnmapsAndFurtherUseThrows()
    {
        PmemRegion region = PmemRegion.Create(_tmpfs.File("a"), 4096, Emulated);
        region.Dispose();
        region.Dispose();
        Assert.Throws<ObjectDisposedException>(() => region.Slice(0, 1));
    }

    public void Dispose()
    {
        _tmpfs.Dispose();
        _disk.Dispose();
    }

    private static bool IsTmpfs(string path) =>
        File.ReadAllLines("/proc/mounts").Select(l => l.Split(' ')).Where(f => f.Length > 2 && path.StartsWith(f[1], StringComparison.Ordinal))
            .OrderByDescending(f => f[1].Length).FirstOrDefault()?[2] == "tmpfs";
}
