using Microsoft.CodeAnalysis;

namespace Pmem.Generators.Tests;

/// <summary>The generator's diagnostics for misuse, with their locations.</summary>
public sealed class DiagnosticTests
{
    [Theory]
    [InlineData("[Pmem.PmemPrimitives] internal partial class Persist { }", "Persist")]
    [InlineData("[Pmem.PmemPrimitives] internal static class Persist { }", "Persist")]
    [InlineData("[Pmem.PmemPrimitives] internal static partial class Persist<T> { }", "Persist")]
    [InlineData("internal static partial class Outer { [Pmem.PmemPrimitives] internal static partial class Persist { } }", "Persist")]
    public void AClassOfTheWrongShapeIsReportedAtItsNameAndGetsNothing(string source, string name)
    {
        GeneratorHarness.Result result = GeneratorHarness.Run(source, "x64");
        Diagnostic diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("PMEM100", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains($"'{name}' cannot hold the Pmem primitives", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(name, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Empty(result.Sources);
    }

    [Fact]
    public void AnUnknownTargetIsAnErrorNamingTheValue()
    {
        GeneratorHarness.Result result = GeneratorHarness.Run("[Pmem.PmemPrimitives] internal static partial class Persist;", "riscv64");
        Diagnostic diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("PMEM101", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains("'riscv64'", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void AnUnsupportedRuntimeIdentifierWarnsAndFallsBackToAuto()
    {
        GeneratorHarness.Result result = GeneratorHarness.Run("[Pmem.PmemPrimitives] internal static partial class Persist;", null, "linux-x86");
        Diagnostic diagnostic = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("PMEM102", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Contains("UnsupportedCpu.Throw()", result.Single);
        Assert.Empty(result.CompilationErrors);
    }

    [Fact]
    public void WithoutAnyPrimitivesClassNothingIsGeneratedOrReported()
    {
        GeneratorHarness.Result result = GeneratorHarness.Run("class Plain { }", "x64");
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.Sources);
    }
}
