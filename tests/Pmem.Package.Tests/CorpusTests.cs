namespace Pmem.Package.Tests;

/// <summary>
/// The corpus of realistic persistence bugs and their correct twins (tests/Pmem.Package.Tests/Corpus), built once as
/// one consumer of the packed package: the analyzer must report exactly the marked diagnostics, no more, no fewer.
/// </summary>
public sealed class CorpusTests(PackedPackage package)
{
    /// <summary>A web address for the rule pages, given on the build's command line as a user would set it.</summary>
    private const string RulesUrl = "https://docs.example/pmem/rules/";

    [Fact]
    public async Task Every_program_gets_exactly_the_diagnostics_it_marks()
    {
        IReadOnlyList<CorpusProgram> programs = CorpusProgram.LoadAll(PackedPackage.CorpusFiles);
        AssertTheCorpusIsPairsOfABugAndItsTwin(programs);

        string consumer = package.WriteCorpusConsumer("corpus");
        await PackedPackage.DotnetAsync(consumer, "build", "-c", "Release", "-nologo", "-p:PmemRulesUrl=" + RulesUrl);
        SarifLog log = SarifLog.Read(Path.Combine(consumer, PackedPackage.DiagnosticsLog));

        var reported = log.Diagnostics.ToHashSet();
        var expected = programs.SelectMany(p => p.Expected).ToHashSet();
        int right = programs.Count(p => reported.Where(d => d.File == p.File).ToHashSet().SetEquals(p.Expected));
        ReportedDiagnostic[] missed = [.. expected.Except(reported).OrderBy(d => d.ToString(), StringComparer.Ordinal)];
        ReportedDiagnostic[] falsePositives = [.. reported.Except(expected).OrderBy(d => d.ToString(), StringComparer.Ordinal)];
        TestContext.Current.SendDiagnosticMessage(
            $"corpus: {programs.Count} programs ({programs.Count(p => p.IsBuggy)} buggy), {right} right; {expected.Count} diagnostics expected, "
            + $"{missed.Length} missed, {falsePositives.Length} false positives");

        Assert.True(missed.Length == 0 && falsePositives.Length == 0, $"missed: {string.Join("; ", missed)}\nfalse positives: {string.Join("; ", falsePositives)}");
        Assert.NotEmpty(log.HelpLinks);
        Assert.All(log.HelpLinks, link => Assert.Equal(RulesUrl + link.Key + ".md", link.Value));
    }

    private static void AssertTheCorpusIsPairsOfABugAndItsTwin(IReadOnlyList<CorpusProgram> programs)
    {
        Assert.True(programs.Count >= 40, $"the corpus has {programs.Count} programs, fewer than 40");
        foreach (IGrouping<string, CorpusProgram> pair in programs.GroupBy(p => p.Topic))
        {
            Assert.True(pair.Count(p => p.IsBuggy) == 1 && pair.Count(p => !p.IsBuggy) == 1, $"'{pair.Key}' is not one buggy program and its correct twin");
            Assert.True(pair.Single(p => p.IsBuggy).Expected.Count > 0, $"{pair.Key}.Buggy.cs marks no diagnostic");
            Assert.True(pair.Single(p => !p.IsBuggy).Expected.Count == 0, $"{pair.Key}.Correct.cs marks a diagnostic");
        }
    }
}
