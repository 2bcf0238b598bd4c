using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Pmem.Analyzers.Tests;

/// <summary>
/// The cost measurement of docs/analyzer.md: the analyzer over a generated 10,000-line file full of pmem writes,
/// timed by the compiler's own analyzer telemetry (the time a build adds), several runs after a warm-up,
/// against the compiler's own binding and flow analysis of the same file as the peer.
/// </summary>
public sealed class AnalyzerCostTests
{
    private const int Methods = 400;

    // Runs measured after the warm-up: min and median of 7 are what a noisy shared machine allows.
    private const int MeasuredRuns = 7;

    [Fact]
    public async Task Ten_thousand_lines_of_pmem_writes()
    {
        string source = GeneratedSource(out int lines);
        Assert.True(lines >= 10_000, $"generated {lines} lines");

        // The first run JIT-compiles the analyzer, which a build server would already have done.
        (ImmutableArray<Diagnostic> warmUp, _, _) = await AnalyzeAsync(source);
        var analyzerTimes = new List<double>();
        var compilerTimes = new List<double>();
        for (int run = 0; run < MeasuredRuns; run++)
        {
            (ImmutableArray<Diagnostic> diagnostics, TimeSpan analyzerTime, TimeSpan compilerTime) = await AnalyzeAsync(source);
            Assert.Equal(warmUp.Length, diagnostics.Length);
            analyzerTimes.Add(analyzerTime.TotalMilliseconds);
            compilerTimes.Add(compilerTime.TotalMilliseconds);
        }

        // A measurement that prints, not a timed assertion: the machine's load decides the absolute numbers.
        Console.WriteLine(
            $"PMEM analyzer cost: {lines} lines, {Methods} methods, {MeasuredRuns} runs after a warm-up: "
            + $"analyzer min {analyzerTimes.Min():F0} ms, median {Median(analyzerTimes):F0} ms; "
            + $"compiler binding and flow analysis (the peer) min {compilerTimes.Min():F0} ms, median {Median(compilerTimes):F0} ms; "
            + $"ratio of mins {analyzerTimes.Min() / compilerTimes.Min():F2}, of medians {Median(analyzerTimes) / Median(compilerTimes):F2}");

        // The structured engine takes every method of the file (it would throw where it declined), and both engines
        // find the same; the graph engine's time says what the structured one saves.
        CSharpCompilation compilation = TestCompilation.Create(source);
        (ImmutableArray<Diagnostic> structured, _) = await TestCompilation.AnalyzeAsync(compilation, new PmemDurabilityAnalyzer(DurabilityEngine.StructuredOnly));
        (ImmutableArray<Diagnostic> graph, TimeSpan graphTime) = await TestCompilation.AnalyzeAsync(compilation, new PmemDurabilityAnalyzer(DurabilityEngine.GraphOnly));
        Console.WriteLine($"PMEM analyzer cost: the same file with the control-flow graph engine only: {graphTime.TotalMilliseconds:F0} ms (one run)");
        Assert.Equal(TestCompilation.Describe(graph), TestCompilation.Describe(warmUp));
        Assert.Equal(TestCompilation.Describe(graph), TestCompilation.Describe(structured));

        // Every fourth method forgets its flush (one PMEM001, the copy), every fourth its commit (PMEM002 on the copy and
        // the assign): nothing else.
        Assert.Equal(Methods / 4, warmUp.Count(d => d.Id == "PMEM001"));
        Assert.Equal(Methods / 2, warmUp.Count(d => d.Id == "PMEM002"));
        Assert.Equal(Methods * 3 / 4, warmUp.Length);
    }

    private static double Median(List<double> values)
    {
        List<double> sorted = [.. values.Order()];
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task<(ImmutableArray<Diagnostic> Diagnostics, TimeSpan AnalyzerTime, TimeSpan CompilerTime)> AnalyzeAsync(string source)
    {
        CSharpCompilation compilation = TestCompilation.Create(source);
        (ImmutableArray<Diagnostic> errors, TimeSpan compilerTime) = TestCompilation.CompilerDiagnostics(compilation);
        Assert.Empty(errors.Where(d => d.Severity == DiagnosticSeverity.Error));
        (ImmutableArray<Diagnostic> diagnostics, TimeSpan analyzerTime) = await TestCompilation.AnalyzeAsync(compilation, new PmemDurabilityAnalyzer());
        return (diagnostics, analyzerTime, compilerTime);
    }

    /// <summary>Methods with branches, loops, try/finally, switch and helpers, about 25 lines each; a quarter of them miss a flush, a quarter a commit.</summary>
    private static string GeneratedSource(out int lines)
    {
        var source = new StringBuilder();
        source.AppendLine("using System;\nusing Pmem;\n\nnamespace Generated;\n\nsealed class Store\n{\n    private readonly PmemRegion _region;\n\n    public Store(PmemRegion region) => _region = region;\n");
        for (int m = 0; m < Methods; m++)
        {
            string flush = m % 4 == 1 ? "// flush forgotten" : "Persist.PmemFlush(record);";
            string commit = m % 4 == 2 ? "// commit forgotten" : "Persist.PmemCommit();";
            source.AppendLine($$"""
                    public int Write{{m}}(byte[] data, int count, int kind)
                    {
                        int written = 0;
                        for (int i = 0; i < count; i++)
                        {
                            Span<byte> record = _region.Slice({{m * 64}} + (i * 4096), 64);
                            Persist.PmemMemcpy(record, data);
                            {{flush}}
                            switch (kind)
                            {
                                case 0:
                                    Persist.PmemAssign(ref _region.AsRef<ulong>({{m * 8}}), (ulong)i);
                                    Persist.PmemFlush(_region.Slice({{m * 8}}, 8));
                                    break;
                                default:
                                    written += data.Length;
                                    break;
                            }
                        }

                        try
                        {
                            written++;
                        }
                        finally
                        {
                            {{commit}}
                        }

                        return written;
                    }

                """);
        }

        source.AppendLine("}");
        string text = source.ToString();
        lines = text.Count(c => c == '\n');
        return text;
    }
}
