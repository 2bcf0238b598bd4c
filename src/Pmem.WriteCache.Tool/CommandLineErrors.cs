using System.CommandLine;

namespace Pmem.WriteCache.Tool;

/// <summary>
/// Words the command line does not know are errors (exit 2), each with the nearest option or command when one is
/// close: a misspelled <c>--read-only</c> must not serve writable, a word after the table line must not be dropped.
/// </summary>
internal static class CommandLineErrors
{
    /// <summary>Prints every parse error of <paramref name="parse"/> on stderr, one line each, and returns exit code 2.</summary>
    public static int Report(ParseResult parse)
    {
        Command command = parse.CommandResult.Command;
        IEnumerable<string> lines = parse.UnmatchedTokens.Count > 0
            ? parse.UnmatchedTokens.Select(token => Unknown(token, command))
            : parse.Errors.Select(error => error.Message);
        foreach (string line in lines)
        {
            Console.Error.WriteLine($"pmem-writecache: {line}");
        }

        string help = command is RootCommand ? "pmem-writecache --help" : $"pmem-writecache {command.Name} --help";
        Console.Error.WriteLine($"pmem-writecache: '{help}' lists what is accepted.");
        return ToolExitCode.BadInput;
    }

    /// <summary>Whether a word of a free-form argument (the table line, a message) is an option the command does not have.</summary>
    public static bool LooksLikeOption(string word) => word.StartsWith("--", StringComparison.Ordinal) || (word.Length > 1 && word[0] == '-' && char.IsLetter(word[1]));

    /// <summary>Refuses the first word of <paramref name="words"/> that looks like an option: System.CommandLine gave it to the argument.</summary>
    /// <exception cref="ToolException">Exit 2 with a suggestion.</exception>
    public static void RefuseOptions(IEnumerable<string> words, Command command)
    {
        if (words.FirstOrDefault(LooksLikeOption) is { } option)
        {
            throw new ToolException(Unknown(option, command), ToolExitCode.BadInput);
        }
    }

    /// <summary>"unknown option '--read-onyl' for 'serve'; did you mean --read-only?" or "unexpected word 'x' for 'status'."</summary>
    public static string Unknown(string token, Command command)
    {
        if (LooksLikeOption(token))
        {
            IEnumerable<string> names = command.Options.SelectMany(option => option.Aliases.Prepend(option.Name));
            return $"unknown option '{token}' for '{command.Name}'{Suggestion(token, names)}";
        }

        return command.Subcommands.Count > 0
            ? $"unknown command '{token}'{Suggestion(token, command.Subcommands.Select(sub => sub.Name))}"
            : $"unexpected word '{token}' for '{command.Name}'.";
    }

    private static string Suggestion(string token, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = Math.Max(2, token.Length / 3) + 1;
        foreach (string candidate in candidates)
        {
            int distance = EditDistance(token, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best is null ? "." : $"; did you mean {best}?";
    }

    /// <summary>Levenshtein distance, with a swap of two neighbours counted as one edit (<c>onyl</c> → <c>only</c>).</summary>
    private static int EditDistance(string a, string b)
    {
        int[,] d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
