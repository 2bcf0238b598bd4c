namespace Pmem.Kernel.Tests;

/// <summary>What a VM boot printed: the serial console, where guest lines meant for the host start with '@'.</summary>
/// <param name="Text">The whole console.</param>
/// <param name="HostError">What boot.sh and QEMU wrote to stderr.</param>
/// <param name="ExitCode">boot.sh's exit code.</param>
/// <param name="Elapsed">Wall time of the boot.</param>
internal sealed record VmConsole(string Text, string HostError, int ExitCode, TimeSpan Elapsed)
{
    /// <summary>The guest's lines for the host, without the '@'.</summary>
    public IEnumerable<string> GuestLines => Text.Split('\n').Where(line => line.StartsWith('@')).Select(line => line[1..].TrimEnd());

    /// <summary>The rest of each guest line that starts with <paramref name="tag"/> and a space.</summary>
    public IEnumerable<string> Tagged(string tag) => GuestLines.Where(line => line.StartsWith(tag + " ", StringComparison.Ordinal)).Select(line => line[(tag.Length + 1)..]);

    /// <summary>The guest's lines and the host's errors, for a failure message (the whole console when the guest printed nothing).</summary>
    public string Describe()
    {
        string lines = string.Join('\n', GuestLines.Select(line => "@" + line));
        return $"boot.sh exited with {ExitCode} after {Elapsed.TotalSeconds:0.0} s\n{(lines.Length > 0 ? lines : Text)}\nstderr:\n{HostError}";
    }
}
