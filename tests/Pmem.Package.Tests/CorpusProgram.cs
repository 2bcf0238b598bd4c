using System.Text.RegularExpressions;

namespace Pmem.Package.Tests;

/// <summary>
/// One program of the corpus (tests/Pmem.Package.Tests/Corpus): <c>Topic.Buggy.cs</c> holds a persistence bug and
/// <c>Topic.Correct.cs</c> its fixed twin. Each diagnostic the analyzer must report is marked at the end of the line
/// it is reported on: <c>// expect: PMEM001</c>, or <c>// expect: PMEM001, PMEM002</c>. A correct twin marks none.
/// </summary>
public sealed partial class CorpusProgram
{
    private const string BuggySuffix = ".Buggy.cs";
    private const string CorrectSuffix = ".Correct.cs";

    private CorpusProgram(string file, string topic, bool isBuggy, IReadOnlySet<ReportedDiagnostic> expected)
    {
        File = file;
        Topic = topic;
        IsBuggy = isBuggy;
        Expected = expected;
    }

    /// <summary>The file name, without its directory.</summary>
    public string File { get; }

    /// <summary>What the buggy program and its twin share: the file name without <c>.Buggy.cs</c> or <c>.Correct.cs</c>.</summary>
    public string Topic { get; }

    public bool IsBuggy { get; }

    public IReadOnlySet<ReportedDiagnostic> Expected { get; }

    /// <summary>The programs in <paramref name="directory"/>; other files there are shared support code.</summary>
    public static IReadOnlyList<CorpusProgram> LoadAll(string directory) =>
    [
        .. Directory.GetFiles(directory, "*.cs")
            .Where(path => path.EndsWith(BuggySuffix, StringComparison.Ordinal) || path.EndsWith(CorrectSuffix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(Load),
    ];

    private static CorpusProgram Load(string path)
    {
        string file = Path.GetFileName(path);
        bool isBuggy = file.EndsWith(BuggySuffix, StringComparison.Ordinal);
        var expected = new HashSet<ReportedDiagnostic>();
        string[] lines = System.IO.File.ReadAllLines(path);
        for (int line = 1; line <= lines.Length; line++)
        {
            if (ExpectMarker().Match(lines[line - 1]) is { Success: true } marker)
            {
                foreach (string rule in marker.Groups["rules"].Value.Split(',', StringSplitOptions.TrimEntries))
                {
                    expected.Add(new ReportedDiagnostic(file, rule, line));
                }
            }
        }

        return new CorpusProgram(file, file[..^(isBuggy ? BuggySuffix : CorrectSuffix).Length], isBuggy, expected);
    }

    [GeneratedRegex(@"// expect: (?<rules>PMEM\d{3}(?:, PMEM\d{3})*)\s*$")]
    private static partial Regex ExpectMarker();
}
