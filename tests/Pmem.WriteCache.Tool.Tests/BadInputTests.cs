namespace Pmem.WriteCache.Tool.Tests;

/// <summary>Refused input: the kernel's text, a non-zero exit, and no file created or changed.</summary>
public sealed class BadInputTests
{
    [Theory]
    [InlineData("p {origin} {cache} 3000 0", "writecache: Invalid block size")]
    [InlineData("p {origin} {cache} 8192 0", "writecache: Invalid block size")]
    [InlineData("x {origin} {cache} 4096 0", "writecache: Bad arguments")]
    [InlineData("p {origin}", "writecache: Bad arguments")]
    [InlineData("p {origin} {cache} 4096 3 high_watermark 50", "writecache: Invalid number of feature args")]
    [InlineData("p {origin} {cache} 4096 4 high_watermark 40 low_watermark 60", "writecache: High watermark must be greater than or equal to low watermark")]
    [InlineData("s {origin} {cache} 4096 1 fua", "writecache: Invalid optional argument")]
    [InlineData("p {origin} {cache} 4096 1 sparkle", "writecache: Invalid optional argument")]
    [InlineData("p {origin} {missing} 4096 0", "writecache: Cache data device lookup failed")]
    [InlineData("s {missing} {cache} 4096 0", "writecache: Origin data device lookup failed")]
    [InlineData("s {origin} {tiny} 4096 0", "writecache: Invalid device size")]
    [InlineData("p {origin} {tiny} 4096 0", "writecache: Unable to initialize device")]
    public async Task Serve_refuses_a_wrong_table_line_with_the_kernels_text_and_changes_nothing(string line, string expected)
    {
        using var scratch = new Scratch();
        var setup = CacheSetup.Create(scratch, "p");
        string tiny = Scratch.CreateFile(scratch.ShmPath("tiny"), 4096);
        string[] words = line.Replace("{origin}", setup.Origin, StringComparison.Ordinal).Replace("{cache}", setup.Cache, StringComparison.Ordinal)
            .Replace("{missing}", scratch.PathOf("missing.img"), StringComparison.Ordinal).Replace("{tiny}", tiny, StringComparison.Ordinal).Split(' ');
        var before = setup.Hashes();
        string tinyBefore = Scratch.Hash(tiny);
        string[] filesBefore = Directory.GetFiles(scratch.Directory);

        ProgramResult result = await Tool.RunAsync(["serve", .. words, "--socket", scratch.PathOf("nbd.sock")], null);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.StandardError);
        Assert.Contains("nothing was written", result.StandardError);
        Assert.Equal(before, setup.Hashes());
        Assert.Equal(tinyBefore, Scratch.Hash(tiny));
        Assert.Equal(filesBefore, Directory.GetFiles(scratch.Directory));
    }

    [Fact]
    public async Task Serve_that_created_files_removes_them_when_the_cache_is_refused()
    {
        using var scratch = new Scratch();
        string origin = scratch.PathOf("new-origin.img");
        string cache = scratch.ShmPath("new-cache");
        ProgramResult result = await Tool.RunAsync(["serve", "p", origin, cache, "4096", "0", "--create-origin", "64M", "--create-cache", "4K", "--socket", scratch.PathOf("nbd.sock")], null);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("writecache: Unable to initialize device", result.StandardError);
        Assert.False(File.Exists(origin));
        Assert.False(File.Exists(cache));
    }

    [Theory]
    [InlineData("--create-origin", "12Q", "'12Q' is not a size")]
    [InlineData("--create-cache", "1000", "not a multiple of the 512-byte sector")]
    [InlineData("--listen", "10.1.2.3:10809", "only loopback addresses")]
    [InlineData("--listen", "localhost", "is not an address:port")]
    [InlineData("--receive-spin", "-1", "give 0 to 1000 microseconds")]
    [InlineData("--receive-spin", "5000", "give 0 to 1000 microseconds")]
    public async Task Serve_refuses_bad_options_before_creating_anything(string option, string value, string expected)
    {
        using var scratch = new Scratch();
        string origin = scratch.PathOf("o.img");
        string[] creation = option == "--create-origin" ? [] : ["--create-origin", "64M"];
        ProgramResult result = await Tool.RunAsync(["serve", "p", origin, scratch.PathOf("c.img"), "4096", "0", option, value, .. creation], null);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.StandardError);
        Assert.False(File.Exists(origin));
    }
}
