using System.Diagnostics;

namespace Pmem.WriteCache.Tool.Tests;

/// <summary>The origin is an NBD export (nbdkit's memory plugin): writes go through the cache and, after <c>message flush</c>, are on nbdkit.</summary>
public sealed class NbdOriginTests
{
    [Theory]
    [InlineData("p")]
    [InlineData("s")]
    public async Task Data_written_through_the_cache_is_on_the_nbdkit_origin_after_message_flush(string mode)
    {
        using var scratch = new Scratch();
        string kitSocket = scratch.PathOf("kit.sock");
        // No --exit-with-parent: it is tied to the thread that forked nbdkit, and .NET retires thread-pool threads,
        // which killed nbdkit mid-test. The finally below stops it.
        using Process nbdkit = Process.Start(ExternalProgram.StartInfo("nbdkit", ["-f", "-U", kitSocket, "memory", "64M"]))!;
        try
        {
            await WaitForSocketAsync(kitSocket, nbdkit);
            string kitUri = $"nbd+unix:///?socket={kitSocket}";
            string cache = Scratch.CreateFile(scratch.ShmPath("cache"), 16 << 20);
            await using ServedCache served = await ServedCache.StartAsync(scratch, mode, kitUri, cache);
            Assert.Contains("export-size: 67108864", (await ExternalProgram.RunCheckedAsync("nbdinfo", served.Uri)).StandardOutput);

            string image = InteropTests.WriteRandomImage(scratch.PathOf("in.img"), 8 << 20, seed: 3);
            await ExternalProgram.RunCheckedAsync("nbdcopy", "--flush", image, served.Uri);
            long[] before = await Tool.StatusAsync(served.Socket!);
            Assert.True(before[StatusField.Free] < before[StatusField.Blocks], "the writes were not cached");

            (await Tool.RunAsync("message", "--socket", served.Socket!, "flush")).Succeeded();
            long[] after = await Tool.StatusAsync(served.Socket!);
            Assert.Equal(after[StatusField.Blocks], after[StatusField.Free]);

            // Read nbdkit directly, bypassing the cache.
            string back = scratch.PathOf("kit.img");
            await ExternalProgram.RunCheckedAsync("qemu-img", "convert", "-f", "raw", "-O", "raw", kitUri, back);
            byte[] expected = await File.ReadAllBytesAsync(image);
            byte[] actual = (await File.ReadAllBytesAsync(back))[..expected.Length];
            Assert.True(expected.AsSpan().SequenceEqual(actual), "nbdkit does not hold what was written through the cache");
            Assert.Equal(0, await served.StopAsync());
        }
        finally
        {
            nbdkit.Kill();
            await nbdkit.WaitForExitAsync();
        }
    }

    private static async Task WaitForSocketAsync(string path, Process owner)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            Assert.False(owner.HasExited, "nbdkit exited before it accepted connections");
            using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            try
            {
                // The socket file appears at bind, before nbdkit listens: wait until a connection is accepted.
                await probe.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(50);
            }
        }

        Assert.Fail("nbdkit did not accept connections within 10 s");
    }
}
