namespace Pmem.WriteCache.Tests;

/// <summary>The library refuses a table line whose origin and cache are the same storage before writing anything.</summary>
public sealed class SameStorageTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pmem-wc-same-").FullName;

    [Theory]
    [InlineData("p", "same path")]
    [InlineData("s", "same path")]
    [InlineData("p", "symlink")]
    [InlineData("s", "hard link")]
    public async Task OriginAndCacheThatAreOneFileAreRefusedWithNothingWritten(string mode, string form)
    {
        string origin = Path.Combine(_directory, "origin.img");
        byte[] contents = new byte[4 * Caches.MiB];
        new Random(1).NextBytes(contents);
        await File.WriteAllBytesAsync(origin, contents);
        string cache = form switch
        {
            "same path" => origin,
            "symlink" => File.CreateSymbolicLink(Path.Combine(_directory, "cache.lnk"), origin).FullName,
            _ => HardLink(origin, Path.Combine(_directory, "cache.hard")),
        };

        var e = await Assert.ThrowsAsync<WriteCacheConfigurationException>(() => WriteCacheDevice.OpenAsync($"{mode} {origin} {cache} 4096 0"));
        Assert.Equal("Cache data device lookup failed", e.KernelMessage);
        Assert.Contains("same storage", e.Message, StringComparison.Ordinal);
        Assert.Equal(contents, await File.ReadAllBytesAsync(origin));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string HardLink(string target, string link)
    {
        using var ln = System.Diagnostics.Process.Start("ln", [target, link]);
        ln.WaitForExit();
        Assert.Equal(0, ln.ExitCode);
        return link;
    }
}
