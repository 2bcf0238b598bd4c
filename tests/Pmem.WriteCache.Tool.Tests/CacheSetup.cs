namespace Pmem.WriteCache.Tool.Tests;

/// <summary>An origin file in the scratch directory and a cache file on /dev/shm, as most tests serve them.</summary>
internal sealed record CacheSetup(Scratch Scratch, string Mode, string Origin, string Cache)
{
    public const long DefaultOriginSize = 64 << 20;
    public const long DefaultCacheSize = 16 << 20;

    public static CacheSetup Create(Scratch scratch, string mode, long originSize = DefaultOriginSize, long cacheSize = DefaultCacheSize)
        => new(scratch, mode, Scratch.CreateFile(scratch.PathOf("origin.img"), originSize), Scratch.CreateFile(scratch.ShmPath("cache"), cacheSize));

    /// <summary>The table line's words with no optional arguments.</summary>
    public string[] Table => [Mode, Origin, Cache, "4096", "0"];

    public Task<ServedCache> ServeAsync(params string[] extra) => ServedCache.StartAsync(Scratch, Mode, Origin, Cache, extra);

    public Task<ProgramResult> RunAsync(string command, params string[] options) => Tool.RunAsync([command, .. options, .. Table]);

    /// <summary>SHA-256 of the origin and the cache, to show a refused command changed nothing.</summary>
    public (string Origin, string Cache) Hashes() => (Scratch.Hash(Origin), Scratch.Hash(Cache));
}
