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
    private (string Text, TaskCompletionSource Found)? _awaitedError;

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

    /// <param name="arguments">The words after <c>serve</c>.</param>
    /// <param name="socket">The NBD socket it will listen on, if a Unix socket.</param>
    /// <param name="environment">Variables to set for it.</param>
    /// <param name="asUser">Run it as this user: <c>setpriv</c> options such as <c>--reuid=nobody</c>.</param>
    public static async Task<ServedCache> StartAsync(IEnumerable<string> arguments, string? socket, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? asUser = null)
    {
        IEnumerable<string> command = Tool.Arguments(["serve", .. arguments]);
        var process = Process.Start(asUser is null
            ? ExternalProgram.StartInfo("dotnet", command, environment)
            : ExternalProgram.StartInfo("setpriv", [.. asUser, ExternalProgram.Require("dotnet"), .. command], environment))!;
        var served = new ServedCache(process, socket);
        process.OutputDataReceived += (_, e) => served.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => served.OnError(e.Data);
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
        return await WaitForExitAsync(StopTimeout);
    }

    /// <summary>The server's process id, for signals.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Waits until stderr holds <paramref name="text"/>; fails the test after <paramref name="timeout"/>.</summary>
    public async Task WaitForErrorAsync(string text, TimeSpan timeout)
    {
        Task found;
        lock (_error)
        {
            if (_error.ToString().Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            _awaitedError = (text, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            found = _awaitedError.Value.Found.Task;
        }

        Assert.True(await Task.WhenAny(found, Task.Delay(timeout)) == found, $"'{text}' did not appear on stderr within {timeout.TotalSeconds} s:\n{Error}");
    }

    /// <summary>Waits for the process to exit by itself; fails the test (and kills it) after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            Assert.Fail($"pmem-writecache did not exit within {timeout.TotalSeconds} s:\n{Error}");
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

    private void OnError(string? line)
    {
        Append(_error, line);
        lock (_error)
        {
            if (line is not null && _awaitedError is { } awaited && line.Contains(awaited.Text, StringComparison.Ordinal))
            {
                awaited.Found.TrySetResult();
            }
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
