using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Diagnostics.Telemetry;

namespace Pmem.Analyzers.Tests;

/// <summary>
/// A compilation of a source plus <see cref="PmemStubs"/> against the running framework, analyzed straight through
/// <see cref="CompilationWithAnalyzers"/> with the compiler's analyzer telemetry: for measuring the analyzer and for
/// comparing its engines, where the markup-based verifier is not needed.
/// </summary>
internal static class TestCompilation
{
    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "netstandard.dll")
            .Select(path => MetadataReference.CreateFromFile(path)),
    ];

    public static CSharpCompilation Create(string source) => CSharpCompilation.Create(
        "Analyzed",
        [CSharpSyntaxTree.ParseText(PmemStubs.Source, path: "PmemStubs.cs"), CSharpSyntaxTree.ParseText(source, path: "Source.cs")],
        References,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>The compiler's own diagnostics (binding and flow analysis, no emit), timed: the peer of the cost measurement.</summary>
    public static (ImmutableArray<Diagnostic> Diagnostics, TimeSpan Time) CompilerDiagnostics(Compilation compilation)
    {
        var time = Stopwatch.StartNew();
        ImmutableArray<Diagnostic> diagnostics = compilation.GetDiagnostics();
        return (diagnostics, time.Elapsed);
    }

    /// <summary>The analyzer's diagnostics (an exception it throws is an AD0001) and the time the compiler's telemetry charges it.</summary>
    public static async Task<(ImmutableArray<Diagnostic> Diagnostics, TimeSpan Time)> AnalyzeAsync(Compilation compilation, DiagnosticAnalyzer analyzer, AnalyzerOptions? options = null)
    {
        CompilationWithAnalyzers withAnalyzers = compilation.WithAnalyzers(
            [analyzer],
            new CompilationWithAnalyzersOptions(options ?? new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: true));
        ImmutableArray<Diagnostic> diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(TestContext.Current.CancellationToken);
        AnalyzerTelemetryInfo telemetry = await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, TestContext.Current.CancellationToken);
        return (diagnostics, telemetry.ExecutionTime);
    }

    /// <summary>Diagnostics as comparable text: id, span, message and additional locations, in source order.</summary>
    public static string[] Describe(ImmutableArray<Diagnostic> diagnostics) =>
    [
        .. diagnostics
            .OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal)
            .Select(d => $"{d.Id} {d.Location.SourceSpan} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)} [{string.Join(", ", d.AdditionalLocations.Select(l => l.SourceSpan))}]"),
    ];
}
