using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
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

    /// <summary>Asserts that the analyzer reports exactly the marked diagnostics in <paramref name="source"/>.</summary>
    public static Task AnalyzerAsync(string source)
    {
        var test = new CSharpAnalyzerTest<PmemDurabilityAnalyzer, DefaultVerifier>
        {
            TestCode = Usings + source,
            ReferenceAssemblies = ReferenceAssemblies.Net.Net80,
        };
        Configure(test);
        return test.RunAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Asserts that <typeparamref name="TFix"/> turns <paramref name="source"/> into <paramref name="fixedSource"/>, one diagnostic at a time and with fix-all.</summary>
    public static Task CodeFixAsync<TFix>(string source, string fixedSource)
        where TFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<PmemDurabilityAnalyzer, TFix, DefaultVerifier>
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
