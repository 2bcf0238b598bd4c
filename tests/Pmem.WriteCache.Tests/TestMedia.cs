using Pmem.BlockDevices;

namespace Pmem.WriteCache.Tests;

/// <summary>Real backing for the tests: tmpfs files mapped as emulated pmem, sparse files as ssd caches, and their cleanup.</summary>
internal sealed class TestMedia : IDisposable
{
    private readonly List<string> _paths = [];

    public string NewPath(string directory = "/dev/shm")
    {
        string path = Path.Combine(directory, $"pmem-wc-test-{Guid.NewGuid():N}");
        _paths.Add(path);
        return path;
    }

    /// <summary>A zeroed tmpfs file of <paramref name="length"/> bytes, mapped as emulated pmem.</summary>
    public PmemCacheMedia Pmem(long length, out string path)
    {
        path = NewPath();
        return PmemCacheMedia.FromRegion(PmemRegion.Create(path, length, new PmemMapOptions { AllowEmulatedPmem = true }), ownsRegion: true);
    }

    public PmemCacheMedia Pmem(long length) => Pmem(length, out _);

    /// <summary>Maps an existing file again, as after a restart.</summary>
    public static PmemCacheMedia Reopen(string path) => PmemCacheMedia.Open(path, new PmemMapOptions { AllowEmulatedPmem = true });

    /// <summary>A sparse regular file (under the temp directory, a real file system) used as a block device.</summary>
    public FileBlockDevice File(long length, out string path)
    {
        path = NewPath(Path.GetTempPath());
        return FileBlockDevice.Create(path, length);
    }

    public void Dispose()
    {
        foreach (string path in _paths)
        {
            System.IO.File.Delete(path);
        }
    }
}
