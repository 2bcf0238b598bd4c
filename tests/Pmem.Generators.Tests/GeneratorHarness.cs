using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Pmem.Generators.Tests;

/// <summary>Runs <see cref="PmemPrimitivesGenerator"/> over source text with given MSBuild properties, as the compiler would.</summary>
internal static class GeneratorHarness
{
    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
            .Select(path => MetadataReference.CreateFromFile(path)),
        MetadataReference.CreateFromFile(typeof(PmemRegion).Assembly.Location),
    ];

    // C# 12: what the .NET 8 SDK's compiler (the oldest this generator supports) understands.
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    public sealed record Result(Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics, ImmutableArray<GeneratedSourceResult> Sources, GeneratorDriver Driver)
    {
        public string Single => Assert.Single(Sources).SourceText.ToString();

        public ImmutableArray<Diagnostic> CompilationErrors => [.. Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];
    }

    public static Result Run(string source, string? pmemTarget = null, string? runtimeIdentifier = null)
    {
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Consumer",
            [CSharpSyntaxTree.ParseText(source, ParseOptions, path: "Consumer.cs")],
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new PmemPrimitivesGenerator().AsSourceGenerator(), new PmemLayoutGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            optionsProvider: new BuildProperties(pmemTarget, runtimeIdentifier),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new Result(output, diagnostics, [.. driver.GetRunResult().Results.SelectMany(r => r.GeneratedSources)], driver);
    }

    /// <summary>The <c>build_property.*</c> values that <c>CompilerVisibleProperty</c> items give a real build.</summary>
    private sealed class BuildProperties(string? pmemTarget, string? runtimeIdentifier) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(new Dictionary<string, string?>
        {
            ["build_property.PmemTarget"] = pmemTarget ?? string.Empty,
            ["build_property.RuntimeIdentifier"] = runtimeIdentifier ?? string.Empty,
        });

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;

        private sealed class Options(Dictionary<string, string?> values) : AnalyzerConfigOptions
        {
            public static readonly Options Empty = new([]);

            public override bool TryGetValue(string key, out string value)
            {
                value = values.GetValueOrDefault(key) ?? string.Empty;
                return values.ContainsKey(key);
            }
        }
    }
}
