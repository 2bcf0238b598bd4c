using System.Diagnostics;

namespace Pmem.TestSupport;

/// <summary>
/// Runs the real programs the tests meet users with (libnbd, qemu, fio, nbdkit, dotnet). A missing program fails the
/// test naming the Debian package to install, never skips it; every run is bounded in time.
/// </summary>
public static class ExternalProgram
{
    private static readonly Dictionary<string, string> Packages = new()
    {
        ["nbdinfo"] = "the Debian package libnbd-bin",
        ["nbdcopy"] = "the Debian package libnbd-bin",
        ["qemu-img"] = "the Debian package qemu-utils",
        ["qemu-io"] = "the Debian package qemu-utils",
        ["qemu-aarch64-static"] = "the Debian package qemu-user-static",
        ["fio"] = "the Debian package fio",
        ["nbdkit"] = "the Debian package nbdkit",
        ["dotnet"] = "the .NET 10 SDK",
    };

    /// <summary>The full path of <paramref name="program"/> on <c>PATH</c>, or a failed assertion saying what to install.</summary>
    /// <param name="program">A program name, or a path (returned as it is when the file exists).</param>
    public static string Require(string program)
    {
        string? found = program.Contains('/', StringComparison.Ordinal)
            ? (File.Exists(program) ? program : null)
            : (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':')
                .Select(directory => Path.Combine(directory, program))
                .FirstOrDefault(File.Exists);
        Assert.True(found is not null, $"'{program}' is not installed; install {Packages.GetValueOrDefault(program, program)} (scripts/install-prerequisites.sh does, and CI runs it).");
        return found!;
    }

    /// <summary>A start description with both outputs redirected.</summary>
    /// <param name="program">The program (see <see cref="Require"/>).</param>
    /// <param name="arguments">Its arguments, passed without a shell.</param>
    /// <param name="environment">Variables to set on top of this process's environment.</param>
    /// <param name="workingDirectory">Where it runs; this process's directory when null.</param>
    public static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(Require(program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
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

    /// <summary>Runs the program to completion; it is killed, and the test fails, after <paramref name="timeoutSeconds"/>.</summary>
    /// <param name="program">The program (see <see cref="Require"/>).</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="timeoutSeconds">The bound on its run time.</param>
    /// <param name="environment">Variables to set on top of this process's environment.</param>
    /// <param name="workingDirectory">Where it runs.</param>
    public static async Task<ProgramResult> RunAsync(string program, IEnumerable<string> arguments, int timeoutSeconds = 60, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        ProcessStartInfo start = StartInfo(program, arguments, environment, workingDirectory);
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

    /// <summary>Runs the program (bounded to a minute) and fails the test, with its output, unless it exits with 0.</summary>
    /// <param name="program">The program (see <see cref="Require"/>).</param>
    /// <param name="arguments">Its arguments.</param>
    public static async Task<ProgramResult> RunCheckedAsync(string program, params string[] arguments) =>
        (await RunAsync(program, arguments)).Succeeded();

    /// <summary>Starts a long-running program (a server) whose output is drained so it never blocks on a full pipe; the caller kills it.</summary>
    /// <param name="program">The program (see <see cref="Require"/>).</param>
    /// <param name="arguments">Its arguments.</param>
    public static Process Start(string program, params string[] arguments)
    {
        var process = Process.Start(StartInfo(program, arguments))!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
