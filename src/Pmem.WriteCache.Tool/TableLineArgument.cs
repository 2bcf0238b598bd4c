using System.CommandLine;

namespace Pmem.WriteCache.Tool;

/// <summary>The dm-writecache table line as command-line words: <c>p|s &lt;origin&gt; &lt;cache&gt; &lt;block size&gt; &lt;#args&gt; [args…]</c>.</summary>
internal static class TableLineArgument
{
    public static Argument<string[]> Create(bool optional) => new("table")
    {
        Description = "The dm-writecache table line: p|s <origin> <cache> <block size> <#optional args> [optional args...], "
            + "e.g. 'p /dev/sdb /dev/dax0.0 4096 0' or 's disk.img /dev/nvme0n1 4096 2 high_watermark 60'.",
        Arity = optional ? ArgumentArity.ZeroOrMore : ArgumentArity.OneOrMore,
    };

    /// <summary>Parses the words with the kernel's rules.</summary>
    /// <exception cref="WriteCacheConfigurationException">The kernel's text for the malformed line.</exception>
    public static WriteCacheTable Parse(IEnumerable<string> words) => WriteCacheTable.Parse(string.Join(' ', words));
}
