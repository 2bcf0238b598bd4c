using System.CommandLine;
using System.Globalization;

namespace Pmem.WriteCache.Tool;

/// <summary>The dm-writecache table line as command-line words: <c>p|s &lt;origin&gt; &lt;cache&gt; &lt;block size&gt; &lt;#args&gt; [args…]</c>.</summary>
internal static class TableLineArgument
{
    private const int FixedWords = 5;
    private static readonly string[] FixedWordNames = ["mode (p or s)", "origin", "cache", "block size", "#optional args"];

    public static Argument<string[]> Create(bool optional) => new("table")
    {
        Description = "The dm-writecache table line: p|s <origin> <cache> <block size> <#optional args> [optional args...], "
            + "e.g. 'p /dev/sdb /mnt/pmem/cache 4096 0' or 's disk.img /dev/nvme0n1 4096 2 high_watermark 60'.",
        Arity = optional ? ArgumentArity.ZeroOrMore : ArgumentArity.OneOrMore,
    };

    /// <summary>
    /// Parses the words with the kernel's rules, refusing first what the kernel's word splitting would hide: an empty
    /// word (an empty origin would shift every word after it), a word with white space, an option the command does
    /// not have, and words after the optional arguments the count announced.
    /// </summary>
    /// <exception cref="WriteCacheConfigurationException">The kernel's text for the malformed line.</exception>
    /// <exception cref="ToolException">Exit 2: a word the kernel would have split, dropped or mistaken.</exception>
    public static WriteCacheTable Parse(IReadOnlyList<string> words, Command command)
    {
        CommandLineErrors.RefuseOptions(words, command);
        for (int i = 0; i < words.Count; i++)
        {
            if (words[i].Length == 0)
            {
                throw new ToolException($"the table line's {WordName(i)} is empty; give {(i is 1 or 2 ? "a path" : "a value")}.", ToolExitCode.BadInput);
            }

            if (words[i].Any(char.IsWhiteSpace))
            {
                throw new ToolException($"the table line's {WordName(i)} '{words[i]}' contains white space; the kernel splits table lines at white space, so it cannot be named there.", ToolExitCode.BadInput);
            }
        }

        WriteCacheTable table = WriteCacheTable.Parse(string.Join(' ', words));
        // Parse accepted the count, and that many words follow it.
        int used = FixedWords + int.Parse(words[FixedWords - 1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (words.Count > used)
        {
            throw new ToolException(
                $"unexpected word '{words[used]}' after the table line '{string.Join(' ', words.Take(used))}': its #optional args, {words[FixedWords - 1]}, counts the words after it.",
                ToolExitCode.BadInput);
        }

        return table;
    }

    private static string WordName(int index) => index < FixedWords ? FixedWordNames[index] : $"optional argument {index - FixedWords + 1}";
}
