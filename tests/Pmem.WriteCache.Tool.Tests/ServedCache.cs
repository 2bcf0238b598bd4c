using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Pmem.WriteCache.Tool.Tests;

/// <summary>A running <c>pmem-writecache serve</c>: started, waited for until it prints its connection hints, then stopped or killed.</summary>
internal sealed partial class ServedCache : IAsyncDisposable
{
    private const int Sigterm = 15;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServedCache(Process process, string? socket)
    {
        _process = process;
        Socket = socket;
    }

    /// <summary>The NBD Unix socket (null when serving TCP).</summary>
    public string? Socket { get; }

    public string Uri => Socket is null ? ExportLine() : $"nbd+unix:///?socket={Socket}";

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Serves <c>p|s origin cache 4096 0</c> (plus <paramref name="extra"/> words) on a socket in <paramref name="scratch"/>.</summary>
    public static Task<ServedCache> StartAsync(Scratch scratch, string mode, string origin, string cache, params string[] extra)
        => StartAsync([mode, origin, cache, "4096", "0", "--socket", scratch.PathOf("nbd.sock"), .. extra], scratch.PathOf("nbd.sock"));

    public static async Task<ServedCache> StartAsync(IEnumerable<string> arguments, string? socket, IReadOnlyDictionary<string, string>? environment = null)
    {
        var process = Process.Start(ExternalProgram.StartInfo("dotnet", Tool.Arguments(["serve", .. arguments]), environment))!;
        var served = new ServedCache(process, socket);
        process.OutputDataReceived += (_, e) => served.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => served.Append(served._error, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Task exited = process.WaitForExitAsync();
        Task first = await Task.WhenAny(served._ready.Task, exited, Task.Delay(StartTimeout));
        if (first != served._ready.Task)
        {
            await served.KillAsync();
            Assert.Fail($"pmem-writecache serve did not start (exited: {process.HasExited}):\n{served.Output}\n{served.Error}");
        }

        return served;
    }

    /// <summary>SIGTERM, then the exit code of the clean shutdown.</summary>
    public async Task<int> StopAsync()
    {
        Assert.Equal(0, kill(_process.Id, Sigterm));
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            Assert.Fail($"pmem-writecache did not stop within {StopTimeout.TotalSeconds} s of SIGTERM:\n{Error}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the power cut of a process (what was committed to tmpfs stays).</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    private void OnOutput(string? line)
    {
        Append(_output, line);
        if (line?.StartsWith("Stop with", StringComparison.Ordinal) == true)
        {
            _ready.TrySetResult();
        }
    }

    private void Append(StringBuilder log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.AppendLine(line);
            }
        }
    }

    private string ExportLine()
        => Output.Split('\n').Select(line => line.Trim()).Single(line => line.StartsWith("export ", StringComparison.Ordinal))["export".Length..].Trim().Split(' ')[0];
}
