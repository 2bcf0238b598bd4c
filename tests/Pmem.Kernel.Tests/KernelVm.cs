using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Pmem.Kernel.Tests;

/// <summary>
/// The QEMU VM of <c>tests/kernel-vm</c>: the host's Debian kernel (6.1) with a tiny initramfs runs one guest script
/// per boot and powers off. Boots are slow (TCG, tens of seconds on a loaded machine): tests batch their work into few
/// boots. Tests skip, saying why, only where the VM cannot start (no QEMU, no kernel); every other missing piece fails.
/// </summary>
internal static class KernelVm
{
    /// <summary>Where the fsdax /dev/pmem0 starts in the NVDIMM's backing file (pmem-fsdax): the cache of a p-mode target lies after it.</summary>
    public const long NvdimmDataOffset = 2 << 20;

    private static readonly string RepoRoot = typeof(KernelVm).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

    /// <summary>The harness scripts.</summary>
    public static string ScriptDirectory { get; } = Path.Combine(RepoRoot, "tests", "kernel-vm");

    /// <summary>Where the kernel copy and the initramfs are built (git-ignored): <c>PMEM_KERNEL_VM_BUILD</c>, else artifacts/kernel-vm.</summary>
    public static string BuildDirectory { get; } = Environment.GetEnvironmentVariable("PMEM_KERNEL_VM_BUILD") is { Length: > 0 } configured
        ? configured
        : Path.Combine(RepoRoot, "artifacts", "kernel-vm");

    /// <summary>Why the VM cannot start on this machine, or null when it can.</summary>
    public static string? UnavailableReason { get; } = FindUnavailableReason();

    /// <summary>Skips the calling test, printing why, when the VM cannot start.</summary>
    public static void RequireVm() => Assert.SkipWhen(UnavailableReason is not null, UnavailableReason ?? string.Empty);

    /// <summary>Boots the VM with <paramref name="guestScript"/> as /guest.sh and returns its console once it powered off.</summary>
    /// <param name="guestScript">The guest's shell script (busybox sh).</param>
    /// <param name="devices">The devices to attach (boot.sh options, e.g. <c>--disk FILE</c>).</param>
    /// <param name="onLine">Called with each console line as it arrives, and the VM, to answer the guest on its console.</param>
    /// <param name="timeout">Bound on the whole boot.</param>
    public static async Task<VmConsole> BootAsync(string guestScript, IEnumerable<string> devices, Func<string, VmConsoleInput, Task>? onLine = null, TimeSpan? timeout = null)
    {
        TimeSpan bound = timeout ?? TimeSpan.FromMinutes(5);
        string script = Path.Combine(Path.GetTempPath(), $"pmem-kernel-guest-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(script, guestScript);
        try
        {
            ProcessStartInfo start = ExternalProgram.StartInfo(
                Path.Combine(ScriptDirectory, "boot.sh"),
                [BuildDirectory, .. devices, "--timeout", ((int)bound.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), script]);
            start.RedirectStandardInput = true;
            var clock = Stopwatch.StartNew();
            using Process process = Process.Start(start)!;
            var input = new VmConsoleInput(process.StandardInput);
            var console = new StringBuilder();
            Task<string> error = process.StandardError.ReadToEndAsync();
            using var cancel = new CancellationTokenSource(bound + TimeSpan.FromSeconds(30));
            try
            {
                while (await process.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
                {
                    console.AppendLine(line);
                    if (onLine is not null)
                    {
                        await onLine(line, input);
                    }
                }

                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"the VM did not power off within {bound.TotalSeconds} s; console:\n{console}");
            }

            var result = new VmConsole(console.ToString(), await error, process.ExitCode, clock.Elapsed);
            Assert.True(result.Text.Contains("=== GUEST-RC", StringComparison.Ordinal), $"the guest script did not run to its end:\n{result.Describe()}");
            return result;
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static string? FindUnavailableReason()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the kernel VM runs on Linux hosts only";
        }

        string[] path = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':');
        if (!path.Any(directory => File.Exists(Path.Combine(directory, "qemu-system-x86_64"))))
        {
            return "qemu-system-x86_64 is not installed (Debian package qemu-system-x86; scripts/install-prerequisites.sh installs it)";
        }

        if (!Directory.Exists("/boot") || !Directory.EnumerateFiles("/boot", "vmlinuz-*").Any() || !Directory.Exists("/lib/modules"))
        {
            return "no kernel to boot: /boot/vmlinuz-* and /lib/modules are missing (Debian package linux-image-amd64; scripts/install-prerequisites.sh installs it)";
        }

        return null;
    }
}
