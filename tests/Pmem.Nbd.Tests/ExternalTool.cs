using System.Diagnostics;
using System.Text;

namespace Pmem.Nbd.Tests;

/// <summary>Runs the real NBD clients (libnbd, qemu, fio, nbdkit); a missing one fails the test with what to install.</summary>
internal static class ExternalTool
{
    private static readonly Dictionary<string, string> Packages = new()
    {
        ["nbdinfo"] = "libnbd-bin",
        ["nbdcopy"] = "libnbd-bin",
        ["qemu-img"] = "qemu-utils",
        ["qemu-io"] = "qemu-utils",
        ["fio"] = "fio",
        ["nbdkit"] = "nbdkit",
    };

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string All => StandardOutput + StandardError;
    }

    /// <summary>The full path of <paramref name="program"/>, or a failed assertion naming the package to install.</summary>
    public static string Require(string program)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            string candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail($"'{program}' is not installed; install the Debian package '{Packages.GetValueOrDefault(program, program)}' (CI installs it).");
        return null!;
    }

    /// <summary>Runs the program to completion (killed after <paramref name="timeoutSeconds"/>).</summary>
    public static async Task<Result> RunAsync(string program, IEnumerable<string> arguments, int timeoutSeconds = 60)
    {
        ProcessStartInfo start = StartInfo(program, arguments);

        using var process = Process.Start(start)!;
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
            Assert.Fail($"{program} {string.Join(' ', start.ArgumentList)} did not finish within {timeoutSeconds} s.");
        }

        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>Runs the program and fails the test, with its output, unless it exits with 0.</summary>
    public static async Task<Result> RunCheckedAsync(string program, params string[] arguments)
    {
        Result result = await RunAsync(program, arguments);
        Assert.True(result.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited with {result.ExitCode}:\n{result.All}");
        return result;
    }

    /// <summary>Starts a long-running program (a server); the caller kills it.</summary>
    public static Process Start(string program, params string[] arguments)
    {
        ProcessStartInfo start = StartInfo(program, arguments);

        var process = Process.Start(start)!;
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments)
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

        return start;
    }
}
