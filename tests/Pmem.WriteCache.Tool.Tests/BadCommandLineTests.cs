namespace Pmem.WriteCache.Tool.Tests;

/// <summary>
/// A table of command lines a careless user types, across every command: each is refused with exit 2 and a message
/// that names what is wrong, and neither the origin nor the cache changes. Run four at a time; all mismatches are
/// reported together.
/// </summary>
public sealed class BadCommandLineTests
{
    /// <summary>{origin} 64 MiB file, {cache} 16 MiB file, {tiny} 100 bytes, {odd} 1000000 bytes, {fifo}, {link} symlink and {hard} hard link to the origin, {dir} the scratch directory, {missing} a path that does not exist, {long} a 120-character socket path.</summary>
    private static readonly (string Line, string Expected)[] Cases =
    [
        // serve: options and words the table line would have swallowed
        ("serve s {origin} {cache} 4096 0 --read-onyl", "unknown option '--read-onyl' for 'serve'; did you mean --read-only?"),
        ("serve s {origin} {cache} 4096 0 extra", "unexpected word 'extra' after the table line 's {origin} {cache} 4096 0'"),
        ("serve s {origin} {cache} 4096 1 cleaner extra", "unexpected word 'extra' after the table line"),
        ("serve s {origin} {cache} 4096 2 high_watermark 60 60", "unexpected word '60' after the table line"),
        ("serve --read-onyl s {origin} {cache} 4096 0", "did you mean --read-only?"),
        ("serve s {origin} {cache} 4096 0 --sockt {dir}/x.sock", "did you mean --socket?"),
        ("serve s {origin} {cache} 4096 0 --export-nam disk", "did you mean --export-name?"),
        ("serve s {origin} {cache} 4096 0 --create-cach 16M", "did you mean --create-cache?"),
        ("serve s {origin} {cache} 4096 0 -x", "unknown option '-x' for 'serve'"),
        ("serve s {origin} {cache} 4096 0 --read-only=yes", "yes"),
        ("serve s {origin} {cache} 4096 0 --export-name", "--export-name"),
        ("serve --scratch-dir", "--scratch-dir"),
        ("serve s {origin} {cache} 4096 0 --receive-spin abc", "abc"),
        // serve: origin and cache the same storage
        ("serve s {origin} {origin} 4096 0", "are the same storage: both reach inode"),
        ("serve p {origin} {origin} 4096 0", "are the same storage"),
        ("serve s {origin} {link} 4096 0", "are the same storage"),
        ("serve p {link} {origin} 4096 0", "are the same storage"),
        ("serve s {origin} {hard} 4096 0", "are the same storage"),
        ("serve p {hard} {link} 4096 0", "are the same storage"),
        // serve: devices that are not block devices, or of the wrong size
        ("serve s {odd} {cache} 4096 0", "the origin '{odd}' is 1000000 bytes, not a multiple of the 4096-byte block size"),
        ("serve p {odd} {cache} 512 0", "not a multiple of the 512-byte block size"),
        ("serve p {fifo} {cache} 4096 0", "the origin '{fifo}' is a FIFO (named pipe), not a regular file or a block device"),
        ("serve s {origin} {fifo} 4096 0", "the cache '{fifo}' is a FIFO (named pipe)"),
        ("serve s {origin} /dev/null 4096 0", "the cache '/dev/null' is a character device"),
        ("serve p {origin} /dev/null 4096 0", "'/dev/null' is a character device but not device DAX"), // a pmem cache may be device DAX: PmemRegion names why this one is not
        ("serve s /dev/zero {cache} 4096 0", "the origin '/dev/zero' is a character device"),
        ("serve s {dir} {cache} 4096 0", "is a directory, not a regular file or a block device"),
        ("serve s {origin} {tiny} 4096 0", "the cache '{tiny}' is too small: 100 bytes, where 4096-byte blocks need at least 8192"),
        ("serve p {origin} {tiny} 4096 0", "is too small: 100 bytes"),
        ("serve s {origin} {tiny} 512 0", "is too small: 100 bytes, where 512-byte blocks need at least 1024"),
        ("serve s {origin} {cache} 4096 2 start_sector 32760", "is too small: 16777216 bytes, where 4096-byte blocks need at least 16781312 (the 16773120 bytes start_sector skips"),
        ("serve s {empty} {cache} 4096 0", "the table line's origin is empty; give a path"),
        ("serve s {origin} {empty} 4096 0", "the table line's cache is empty; give a path"),
        ("serve s {origin} {cache} {empty} 0", "the table line's block size is empty"),
        ("serve s {spaced} {cache} 4096 0", "contains white space"),
        // serve: the kernel's texts
        ("serve s {origin} {cache} 3000 0", "writecache: Invalid block size"),
        ("serve x {origin} {cache} 4096 0", "writecache: Bad arguments"),
        ("serve s {origin} {cache} 4096", "writecache: Invalid number of feature args"),
        ("serve s {origin} {cache} 4096 1 sparkle", "writecache: Invalid optional argument"),
        ("serve s {origin} {cache} 4096 2 high_watermark 101", "writecache: Invalid optional argument"),
        ("serve s {missing} {cache} 4096 0", "writecache: Origin data device lookup failed"),
        ("serve p {origin} {missing} 4096 0", "writecache: Cache data device lookup failed"),
        // serve: sockets and addresses
        ("serve s {origin} {cache} 4096 0 --socket {dir}/no/such/x.sock", "the directory '{dir}/no/such' of '{dir}/no/such/x.sock' does not exist"),
        ("serve s {origin} {cache} 4096 0 --socket {dir}", "the NBD socket path '{dir}' is a directory, not a socket"),
        ("serve s {origin} {cache} 4096 0 --socket {origin}", "the NBD socket path '{origin}' is a regular file, not a socket"),
        ("serve s {origin} {cache} 4096 0 --socket {long}", "a Unix socket path holds at most 107"),
        ("serve s {origin} {cache} 4096 0 --control-socket {dir}", "the control socket path '{dir}' is a directory"),
        ("serve s {origin} {cache} 4096 0 --control-socket {dir}/none/c.ctl", "does not exist"),
        ("serve s {origin} {cache} 4096 0 --listen 10.0.0.1:10809", "only loopback addresses"),
        ("serve s {origin} {cache} 4096 0 --listen nowhere", "is not an address:port"),
        ("serve s {origin} {cache} 4096 0 --listen 127.0.0.1:0 --socket {dir}/x.sock", "--socket and --listen exclude each other"),
        ("serve s {origin} {cache} 4096 0 --receive-spin 5000", "give 0 to 1000 microseconds"),
        ("serve s {origin} {cache} 4096 0 --create-cache 12Q", "'12Q' is not a size"),
        ("serve s {origin} {cache} 4096 0 --create-origin 1000", "not a multiple of the 512-byte sector"),
        // status
        ("status --sock {dir}/x.sock", "unknown option '--sock' for 'status'; did you mean --socket?"),
        ("status extra", "unexpected word 'extra' for 'status'"),
        ("status --tabel", "did you mean --table?"),
        ("status --socket", "--socket"),
        ("status --control-socket", "--control-socket"),
        ("status --table yes", "yes"),
        // message
        ("message --socket {dir}/x.sock --wiat cleaner", "unknown option '--wiat' for 'message'; did you mean --wait?"),
        ("message --sokcet {dir}/x.sock flush", "did you mean --socket?"),
        ("message", "message"),
        ("message --timeout abc flush", "abc"),
        ("message --socket {dir}/x.sock flush --timout 5", "did you mean --timeout?"),
        // format
        ("format s {origin} {origin} 4096 0", "are the same storage"),
        ("format p {origin} {link} 4096 0", "are the same storage"),
        ("format p {hard} {origin} 4096 0", "are the same storage"),
        ("format --force s {link} {hard} 4096 0", "are the same storage"),
        ("format s {origin} {cache} 4096 0 extra", "unexpected word 'extra' after the table line"),
        ("format --forse s {origin} {cache} 4096 0", "unknown option '--forse' for 'format'; did you mean --force?"),
        ("format s {origin} {fifo} 4096 0", "is a FIFO (named pipe)"),
        ("format s {origin} {tiny} 4096 0", "is too small: 100 bytes"),
        ("format s {odd} {cache} 4096 0", "not a multiple of the 4096-byte block size"),
        ("format s {empty} {cache} 4096 0", "the table line's origin is empty"),
        ("format", "format"),
        // check
        ("check s {origin} {cache} 4096 0 junk --sumary", "unknown option '--sumary' for 'check'; did you mean --summary?"),
        ("check s {origin} {cache} 4096 0 junk", "unexpected word 'junk' after the table line"),
        ("check s {origin} {origin} 4096 0", "are the same storage"),
        ("check p {link} {origin} 4096 0", "are the same storage"),
        ("check s {odd} {cache} 4096 0", "the origin '{odd}' is 1000000 bytes, not a multiple of the 4096-byte block size"),
        ("check s {fifo} {cache} 4096 0", "the origin '{fifo}' is a FIFO (named pipe)"),
        ("check s {origin} /dev/null 4096 0", "the cache '/dev/null' is a character device"),
        ("check s {origin} {tiny} 4096 0", "is too small: 100 bytes"),
        ("check s {empty} {cache} 4096 0", "the table line's origin is empty"),
        ("check --summary", "check"),
        ("check s {origin} {cache} 4096 1", "writecache: Invalid number of feature args"),
        // flush
        ("flush s {origin} {origin} 4096 0", "are the same storage"),
        ("flush p {origin} {hard} 4096 0", "are the same storage"),
        ("flush s {odd} {cache} 4096 0", "not a multiple of the 4096-byte block size"),
        ("flush s {origin} {cache} 4096 0 extra", "unexpected word 'extra' after the table line"),
        ("flush --forse s {origin} {cache} 4096 0", "unknown option '--forse' for 'flush'"),
        ("flush s {origin} {cache} 4096 0 --sumary", "unknown option '--sumary' for 'flush'"),
        ("flush s {fifo} {cache} 4096 0", "is a FIFO (named pipe)"),
        ("flush s {origin} {tiny} 4096 0", "is too small: 100 bytes"),
        // the command itself
        ("serv", "unknown command 'serv'; did you mean serve?"),
        ("stauts", "did you mean status?"),
        ("frobnicate", "unknown command 'frobnicate'"),
        ("--verbose", "unknown option '--verbose'"),
    ];

    [Fact]
    public async Task Every_bad_command_line_exits_2_with_a_clear_message_and_changes_nothing()
    {
        Assert.True(Cases.Length >= 80, $"only {Cases.Length} cases");
        using var scratch = new Scratch();
        var setup = CacheSetup.Create(scratch, "s");
        var values = new Dictionary<string, string>
        {
            ["{origin}"] = setup.Origin,
            ["{cache}"] = setup.Cache,
            ["{tiny}"] = Scratch.CreateFile(scratch.PathOf("tiny.img"), 100),
            ["{odd}"] = Scratch.CreateFile(scratch.PathOf("odd.img"), 1_000_000),
            ["{fifo}"] = scratch.PathOf("fifo"),
            ["{link}"] = scratch.PathOf("link.img"),
            ["{hard}"] = scratch.PathOf("hard.img"),
            ["{missing}"] = scratch.PathOf("missing.img"),
            ["{long}"] = Path.Combine(scratch.Directory, new string('s', 120 - scratch.Directory.Length)),
            ["{dir}"] = scratch.Directory,
        };
        await ExternalProgram.RunCheckedAsync("mkfifo", values["{fifo}"]);
        File.CreateSymbolicLink(values["{link}"], setup.Origin);
        await ExternalProgram.RunCheckedAsync("ln", setup.Origin, values["{hard}"]);
        var before = setup.Hashes();

        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (row, _) =>
        {
            string[] argv = [.. row.Line.Split(' ').Select(word => Substitute(word, values))];
            if (argv[0] == "serve" && !argv.Contains("--socket") && !argv.Contains("--listen"))
            {
                argv = ["serve", "--socket", scratch.PathOf("nbd.sock"), .. argv[1..]];
            }

            string expected = Substitute(row.Expected, values);
            ProgramResult result = await Tool.RunAsync(argv, null, timeoutSeconds: 60);
            if (result.ExitCode != 2 || !result.StandardError.Contains(expected, StringComparison.Ordinal) || result.StandardError.Contains("   at ", StringComparison.Ordinal))
            {
                failures.Add($"{row.Line}: expected exit 2 and '{expected}'; got {result.ExitCode}:\n{result.StandardError}{result.StandardOutput}");
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {Cases.Length} lines:\n{string.Join("\n", failures)}");
        Assert.Equal(before, setup.Hashes());
        Assert.False(File.Exists(scratch.PathOf("nbd.sock")));
    }

    private static string Substitute(string word, Dictionary<string, string> values)
    {
        word = word.Replace("{empty}", string.Empty, StringComparison.Ordinal).Replace("{spaced}", "a b.img", StringComparison.Ordinal);
        foreach ((string key, string value) in values)
        {
            word = word.Replace(key, value, StringComparison.Ordinal);
        }

        return word;
    }
}
