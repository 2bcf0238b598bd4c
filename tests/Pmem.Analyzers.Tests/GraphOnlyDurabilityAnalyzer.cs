using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Pmem.Analyzers.Tests;

/// <summary>
/// <see cref="PmemDurabilityAnalyzer"/> with every body analyzed over the control-flow graph, the reference the
/// shipped structured engine must match: <see cref="Verify"/> runs every test through both. An analyzer type of its
/// own (not a static switch) because the test framework creates analyzers by type and xunit runs tests in parallel.
/// </summary>
// RS1036: a test double, never loaded by a compiler; the analyzer it wraps is built under the extended rules.
#pragma warning disable RS1036
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class GraphOnlyDurabilityAnalyzer : DiagnosticAnalyzer
{
    private readonly PmemDurabilityAnalyzer _analyzer = new(DurabilityEngine.GraphOnly);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => _analyzer.SupportedDiagnostics;

    // RS1025, RS1026: the wrapped analyzer's Initialize configures generated code and concurrency.
#pragma warning disable RS1025, RS1026
    public override void Initialize(AnalysisContext context) => _analyzer.Initialize(context);
#pragma warning restore RS1025, RS1026
}
#pragma warning restore RS1036
