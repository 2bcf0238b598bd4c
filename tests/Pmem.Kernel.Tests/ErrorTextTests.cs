using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Pmem.WriteCache;

namespace Pmem.Kernel.Tests;

/// <summary>
/// Every invalid table line and message of <see cref="ErrorCases"/> goes to the real dm-writecache (one VM boot, its
/// texts taken from dmesg) and to ours (<see cref="WriteCacheDevice.OpenAsync"/> and
/// <see cref="WriteCacheDevice.SendMessageAsync"/> on files of the same contents): the same outcome, the same kernel
/// text and errno, and for accepted lines the same <c>dmsetup table</c> and status. Cases marked with a known
/// difference must still differ (so the mark goes when the engine is fixed).
/// </summary>
public sealed partial class ErrorTextTests(ITestOutputHelper output)
{
    private static readonly Dictionary<int, string> ErrnoNames = new()
    {
        [LinuxErrno.EIO] = "EIO", [LinuxErrno.EBUSY] = "EBUSY", [LinuxErrno.ENODEV] = "ENODEV", [LinuxErrno.EINVAL] = "EINVAL",
        [LinuxErrno.EFBIG] = "EFBIG", [LinuxErrno.ENOSPC] = "ENOSPC", [LinuxErrno.EOPNOTSUPP] = "EOPNOTSUPP", [12] = "ENOMEM", [6] = "ENXIO",
    };

    // dmsetup's strerror texts for the errors a message can return
    private static readonly Dictionary<string, string> StrerrorNames = new()
    {
        ["Invalid argument"] = "EINVAL", ["Device or resource busy"] = "EBUSY", ["Input/output error"] = "EIO",
    };

    [Fact]
    public async Task Every_invalid_table_line_and_message_gets_the_kernels_text_and_errno()
    {
        KernelVm.RequireVm();
        using var scratch = new Scratch();
        var kernelDevices = new ErrorDevices(scratch, "kernel");
        var ourDevices = new ErrorDevices(scratch, "ours");
        VmConsole console = await KernelVm.BootAsync(GuestScript(), kernelDevices.BootOptions);
        Assert.True(!console.GuestLines.Any(line => line.StartsWith("FSDAX-FAILED", StringComparison.Ordinal)), console.Describe());
        Dictionary<string, string> kernel = KernelOutcomes(console);
        Dictionary<string, string> ours = await OurOutcomesAsync(ourDevices);

        var report = new StringBuilder();
        var failures = new List<string>();
        foreach (ErrorCase errorCase in ErrorCases.Tables.Concat(ErrorCases.Messages).Append(ErrorCases.SuspendedFlush))
        {
            string kernelOutcome = kernel.GetValueOrDefault(errorCase.Name, "(no output from the VM)");
            string ourOutcome = ours[errorCase.Name];
            bool same = kernelOutcome == ourOutcome;
            string verdict = same ? "same" : errorCase.KnownDifference is null ? "DIFFERENT" : $"known difference ({errorCase.KnownDifference})";
            report.AppendLine(CultureInfo.InvariantCulture, $"{errorCase.Name} [{errorCase.Line}]: {verdict}\n  kernel: {kernelOutcome}\n  ours:   {ourOutcome}");
            if (same == (errorCase.KnownDifference is not null))
            {
                failures.Add(same ? $"{errorCase.Name} now agrees with the kernel: remove its known-difference mark" : $"{errorCase.Name} differs from the kernel");
            }
        }

        output.WriteLine(report.ToString());
        output.WriteLine($"VM boot: {console.Elapsed.TotalSeconds:0.0} s");
        Assert.True(failures.Count == 0, $"{string.Join("\n", failures)}\n\n{report}");
    }

    private static string GuestScript()
    {
        var script = new StringBuilder(File.ReadAllText(Path.Combine(KernelVm.ScriptDirectory, "guest-errors.sh")));
        string prefix = $"0 {ErrorDevices.OriginSectors} writecache";
        script.AppendLine("pmem-fsdax || echo '@FSDAX-FAILED'");
        foreach (ErrorCase errorCase in ErrorCases.Tables)
        {
            script.AppendLine(CultureInfo.InvariantCulture, $"try {errorCase.Name} \"{prefix} {errorCase.Line}\"");
        }

        script.AppendLine(CultureInfo.InvariantCulture, $"dmsetup create wc --table \"{prefix} {ErrorCases.MessageTarget}\"");
        script.AppendLine(CultureInfo.InvariantCulture, $"dd if=/dev/zero of=/dev/mapper/wc bs=4096 count={ErrorCases.BlocksWrittenBeforeMessages} oflag=direct 2> /dev/null");
        foreach (ErrorCase errorCase in ErrorCases.Messages)
        {
            script.AppendLine(CultureInfo.InvariantCulture, $"msg {errorCase.Name} {errorCase.Line}");
        }

        script.AppendLine("dmsetup suspend wc");
        script.AppendLine(CultureInfo.InvariantCulture, $"msg {ErrorCases.SuspendedFlush.Name} {ErrorCases.SuspendedFlush.Line}");
        script.AppendLine("dmsetup resume wc && dmsetup remove wc");
        return script.ToString();
    }

    /// <summary>Each case's outcome as the kernel reported it, in the form <see cref="Refused"/> and <see cref="Created"/> write.</summary>
    private static Dictionary<string, string> KernelOutcomes(VmConsole console)
    {
        var outcomes = new Dictionary<string, string>();
        var dmesg = console.Tagged("DMESG").Select(line => line.Split(' ', 2)).GroupBy(words => words[0], words => words[1]).ToDictionary(group => group.Key, group => group.ToList());
        foreach (string line in console.Tagged("CREATED"))
        {
            string[] words = line.Split(' ', 2);
            string[] tableAndStatus = words[1].Split('|');
            outcomes[words[0]] = Created(tableAndStatus[0].Split(' ').Skip(3), tableAndStatus[1].Split(' ').Skip(3));
        }

        foreach (string line in console.Tagged("REFUSED"))
        {
            string name = line.Split(' ')[0];
            Match match = dmesg.GetValueOrDefault(name, []).Select(text => TableError().Match(text)).FirstOrDefault(m => m.Success) ?? Match.Empty;
            outcomes[name] = match.Success ? Refused(match.Groups["text"].Value, match.Groups["errno"].Value) : $"refused without a writecache text: {string.Join(" / ", dmesg.GetValueOrDefault(name, []))}";
        }

        foreach (string line in console.Tagged("RC"))
        {
            string[] words = line.Split(' ');
            List<string> log = dmesg.GetValueOrDefault(words[0], []);
            string? text = log.Select(entry => MessageError().Match(entry)).Where(m => m.Success).Select(m => m.Groups["text"].Value).FirstOrDefault();
            string? errno = log.Select(entry => MessageIoctlError().Match(entry)).Where(m => m.Success).Select(m => StrerrorNames.GetValueOrDefault(m.Groups["strerror"].Value, m.Groups["strerror"].Value)).FirstOrDefault();
            outcomes[words[0]] = words[1] == "0" ? "accepted" : Refused(text ?? "(no text)", errno ?? "(errno not printed)");
        }

        return outcomes;
    }

    private static async Task<Dictionary<string, string>> OurOutcomesAsync(ErrorDevices devices)
    {
        var outcomes = new Dictionary<string, string>();
        foreach (ErrorCase errorCase in ErrorCases.Tables)
        {
            try
            {
                await using WriteCacheDevice device = await WriteCacheDevice.OpenAsync(devices.OnHost(errorCase.Line));
                outcomes[errorCase.Name] = Created(device.Table.ToString().Split(' '), device.GetStatus().ToString().Split(' '));
            }
            catch (WriteCacheConfigurationException e)
            {
                outcomes[errorCase.Name] = Refused(e.KernelMessage, ErrnoNames.GetValueOrDefault(e.Errno, $"errno {e.Errno}"));
            }
            catch (CacheCorruptException e)
            {
                outcomes[errorCase.Name] = $"refused as corrupt: {e.Message}";
            }
        }

        await using (WriteCacheDevice target = await WriteCacheDevice.OpenAsync(devices.OnHost(ErrorCases.MessageTarget)))
        {
            await target.WriteAsync(0, new byte[ErrorCases.BlocksWrittenBeforeMessages * 4096], WriteCacheWriteFlags.None);
            foreach (ErrorCase errorCase in ErrorCases.Messages)
            {
                outcomes[errorCase.Name] = await SendAsync(target, errorCase.Line);
            }

            await target.SuspendAsync();
            outcomes[ErrorCases.SuspendedFlush.Name] = await SendAsync(target, ErrorCases.SuspendedFlush.Line);
            await target.ResumeAsync();
        }

        return outcomes;
    }

    private static async Task<string> SendAsync(WriteCacheDevice device, string message)
    {
        try
        {
            await device.SendMessageAsync(message);
            return "accepted";
        }
        catch (WriteCacheMessageException e)
        {
            // The kernel logs a text only for an unknown message; its other refusals are an errno alone.
            string text = e.Message.StartsWith("unrecognised message received", StringComparison.Ordinal) ? e.Message : "(no text)";
            return Refused(text, ErrnoNames.GetValueOrDefault(e.Errno, $"errno {e.Errno}"));
        }
    }

    private static string Refused(string text, string errno) => $"refused: {text} ({errno})";

    /// <summary>An accepted line: the table without its device names and the status fields.</summary>
    private static string Created(IEnumerable<string> table, IEnumerable<string> status)
    {
        string[] words = [.. table];
        return $"created: table {string.Join(' ', words.Take(1).Concat(words.Skip(3)))}; status {string.Join(' ', status)}";
    }

    // "device-mapper: table: 254:0: writecache: Invalid block size (-EINVAL)"
    [GeneratedRegex(@"device-mapper: table: \S+: writecache: (?<text>.*) \(-(?<errno>E[A-Z]+)\)$")]
    private static partial Regex TableError();

    // "device-mapper: writecache: unrecognised message received: foo"
    [GeneratedRegex(@"device-mapper: writecache: (?<text>.*)$")]
    private static partial Regex MessageError();

    // dmsetup's own line, e.g. "device-mapper: message ioctl on wc  failed: Invalid argument"
    [GeneratedRegex(@"message ioctl on .* failed: (?<strerror>.*)$")]
    private static partial Regex MessageIoctlError();
}
