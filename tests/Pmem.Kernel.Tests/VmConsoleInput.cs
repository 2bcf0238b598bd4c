namespace Pmem.Kernel.Tests;

/// <summary>The VM's console input: a guest waiting in <c>read</c> gets each line sent here.</summary>
internal sealed class VmConsoleInput(StreamWriter input)
{
    /// <summary>Sends one line to the guest.</summary>
    public async Task SendLineAsync(string line)
    {
        await input.WriteAsync(line + "\n");
        await input.FlushAsync();
    }
}
