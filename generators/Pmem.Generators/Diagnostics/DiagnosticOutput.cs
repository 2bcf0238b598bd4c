using Microsoft.CodeAnalysis;

namespace Pmem.Generators.Diagnostics
{
    /// <summary>The one place where the generators turn the <see cref="DiagnosticInfo"/>s of their models into diagnostics.</summary>
    internal static class DiagnosticOutput
    {
        /// <summary>Reports each of <paramref name="diagnostics"/> as the pipeline produces it.</summary>
        /// <param name="context">The generator's initialization context.</param>
        /// <param name="diagnostics">The diagnostics the generator's models carry.</param>
        public static void RegisterDiagnostics(this IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<DiagnosticInfo> diagnostics) =>
            context.RegisterSourceOutput(diagnostics, static (production, diagnostic) => production.ReportDiagnostic(diagnostic.ToDiagnostic()));
    }
}
