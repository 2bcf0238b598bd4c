using System.Security.Cryptography;

namespace Pmem.WriteCache.Tool.Tests;

/// <summary>A temporary directory for origins and sockets, and cache files on /dev/shm (emulated pmem); all removed at the end.</summary>
internal sealed class Scratch : IDisposable
{
    private readonly List<string> _shmFiles = [];

    public Scratch()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("pmem-wc-tool-").FullName;
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>A path on /dev/shm removed with the scratch (the cache of a test).</summary>
    public string ShmPath(string name)
    {
        string path = $"/dev/shm/pmem-wc-tool-{Guid.NewGuid():N}-{name}";
        _shmFiles.Add(path);
        return path;
    }

    /// <summary>Registers a /dev/shm file something else created, so it is removed too.</summary>
    public void Adopt(string path) => _shmFiles.Add(path);

    /// <summary>Creates a sparse file of <paramref name="length"/> bytes.</summary>
    public static string CreateFile(string path, long length)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        file.SetLength(length);
        return path;
    }

    public static string Hash(string path)
    {
        using FileStream file = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(file));
    }

    public void Dispose()
    {
        foreach (string file in _shmFiles)
        {
            File.Delete(file);
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
