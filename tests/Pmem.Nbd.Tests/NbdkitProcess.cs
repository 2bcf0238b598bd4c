using System.Diagnostics;

namespace Pmem.Nbd.Tests;

/// <summary>An <c>nbdkit</c> serving on a Unix socket in a temp directory, killed on dispose.</summary>
internal sealed class NbdkitProcess : IDisposable
{
    private readonly Process _process;

    private NbdkitProcess(string directory, Process process)
    {
        Directory = directory;
        _process = process;
    }

    public string Directory { get; }

    public string SocketPath => Path.Combine(Directory, "nbdkit.sock");

    public string Uri => $"nbd+unix:///?socket={SocketPath}";

    /// <summary>Starts <c>nbdkit -U sock --exit-with-parent -f [args]</c> and waits (bounded) for its socket.</summary>
    public static async Task<NbdkitProcess> StartAsync(params string[] arguments)
    {
        string directory = Path.Combine(Path.GetTempPath(), "pmem-nbdkit-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        string socket = Path.Combine(directory, "nbdkit.sock");
        var process = ExternalProgram.Start("nbdkit", ["-U", socket, "--exit-with-parent", "-f", .. arguments]);
        try
        {
            await Eventually.UntilAsync(() => File.Exists(socket) || process.HasExited, TimeSpan.FromSeconds(10), $"nbdkit {string.Join(' ', arguments)} listened");
        }
        catch
        {
            process.Kill();
            throw;
        }

        if (process.HasExited)
        {
            Assert.Fail($"nbdkit {string.Join(' ', arguments)} exited with code {process.ExitCode} before it listened.");
        }

        return new NbdkitProcess(directory, process);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
