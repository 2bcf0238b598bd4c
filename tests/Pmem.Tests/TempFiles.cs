namespace Pmem.Tests;

/// <summary>A directory of scratch files that is removed with everything in it.</summary>
internal sealed class TempFiles : IDisposable
{
    private TempFiles(string root) => Root = root;

    public string Root { get; }

    /// <summary>A scratch directory on tmpfs (emulated pmem).</summary>
    public static TempFiles OnTmpfs() => Under("/dev/shm");

    /// <summary>A scratch directory on an ordinary disk file system (page granularity).</summary>
    public static TempFiles OnDisk() => Under(Path.GetTempPath());

    public string File(string name) => Path.Combine(Root, name);

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static TempFiles Under(string parent)
    {
        string root = Path.Combine(parent, "pmem-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        return new TempFiles(root);
    }
}
