using System.Diagnostics;

namespace Pmem.WriteCache.Tool.Tests;

/// <summary>The output of a finished program.</summary>
internal sealed record ProgramResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    public string All() => StandardOutput + StandardError;

    public string Describe() => $"{Command} exited with {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";

    public ProgramResult Succeeded()
    {
        Assert.True(ExitCode == 0, Describe());
        return this;
    }
}

/// <summary>
/// Runs the real clients (libnbd, qemu, fio, nbdkit) and the tool. A missing program fails the test naming the
/// Debian package to install; every run is bounded in time.
/// </summary>
internal static class ExternalProgram
{
    private static readonly Dictionary<string, string> Packages = new()
    {
        ["nbdinfo"] = "libnbd-bin",
        ["nbdcopy"] = "libnbd-bin",
        ["qemu-img"] = "qemu-utils",
        ["qemu-io"] = "qemu-utils",
        ["fio"] = "fio",
        ["nbdkit"] = "nbdkit",
        ["dotnet"] = "the .NET 10 SDK",
    };

    public static string Require(string program)
    {
        string? found = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':')
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
        Assert.True(found is not null, $"'{program}' is not installed; install {Packages.GetValueOrDefault(program, program)} (CI must install it).");
        return found!;
    }

    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Require(program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return start;
    }

    public static async Task<ProgramResult> RunAsync(string program, IEnumerable<string> arguments, int timeoutSeconds = 60, IReadOnlyDictionary<string, string>? environment = null)
    {
        ProcessStartInfo start = StartInfo(program, arguments, environment);
        string command = $"{program} {string.Join(' ', start.ArgumentList)}";
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{command} did not finish within {timeoutSeconds} s.");
        }

        return new ProgramResult(command, process.ExitCode, await output, await error);
    }

    public static Task<ProgramResult> RunCheckedAsync(string program, params string[] arguments)
        => RunAsync(program, arguments).ContinueWith(task => task.Result.Succeeded(), TaskScheduler.Default);
}
