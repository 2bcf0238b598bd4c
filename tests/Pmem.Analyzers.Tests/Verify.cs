using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Pmem.Analyzers.Tests;

/// <summary>Runs the analyzer (and a code fix) over a test source plus <see cref="PmemStubs"/>, with diagnostics marked inline as <c>{|PMEM001:...|}</c>.</summary>
internal static class Verify
{
    private const string Usings = """
        using System;
        using System.Runtime.CompilerServices;
        using System.Runtime.InteropServices;
        using System.Threading.Tasks;
        using Pmem;

        """;

    /// <summary>
    /// Asserts that the analyzer reports exactly the marked diagnostics in <paramref name="source"/>, with the shipped
    /// engine (structured where it can, graph elsewhere) and with the graph alone.
    /// </summary>
    public static async Task AnalyzerAsync(string source)
    {
        await AnalyzerAsync<PmemDurabilityAnalyzer>(source);
        await AnalyzerAsync<GraphOnlyDurabilityAnalyzer>(source);
    }

    /// <summary>
    /// Asserts that <typeparamref name="TFix"/> turns <paramref name="source"/> into <paramref name="fixedSource"/>, one
    /// diagnostic at a time and with fix-all, from the diagnostics of either engine.
    /// </summary>
    public static async Task CodeFixAsync<TFix>(string source, string fixedSource)
        where TFix : CodeFixProvider, new()
    {
        await CodeFixAsync<PmemDurabilityAnalyzer, TFix>(source, fixedSource);
        await CodeFixAsync<GraphOnlyDurabilityAnalyzer, TFix>(source, fixedSource);
    }

    private static Task AnalyzerAsync<TAnalyzer>(string source)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            TestCode = Usings + source,
            ReferenceAssemblies = ReferenceAssemblies.Net.Net80,
        };
        Configure(test);
        return test.RunAsync(TestContext.Current.CancellationToken);
    }

    private static Task CodeFixAsync<TAnalyzer, TFix>(string source, string fixedSource)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TFix, DefaultVerifier>
        {
            TestCode = Usings + source,
            FixedCode = Usings + fixedSource,
            ReferenceAssemblies = ReferenceAssemblies.Net.Net80,
        };
        Configure(test);
        test.FixedState.Sources.Add(("PmemStubs.cs", PmemStubs.Source));
        return test.RunAsync(TestContext.Current.CancellationToken);
    }

    private static void Configure<TVerifier>(AnalyzerTest<TVerifier> test)
        where TVerifier : IVerifier, new()
    {
        test.TestState.Sources.Add(("PmemStubs.cs", PmemStubs.Source));
        test.SolutionTransforms.Add((solution, projectId) =>
        {
            var options = (CSharpCompilationOptions)solution.GetProject(projectId)!.CompilationOptions!;
            return solution.WithProjectCompilationOptions(projectId, options.WithAllowUnsafe(true).WithNullableContextOptions(NullableContextOptions.Enable));
        });
    }
}
