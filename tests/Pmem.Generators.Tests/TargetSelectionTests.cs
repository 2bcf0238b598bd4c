namespace Pmem.Generators.Tests;

/// <summary>How the build's properties and the attribute choose the target.</summary>
public sealed class TargetSelectionTests
{
    private const string Persist = "[Pmem.PmemPrimitives] internal static partial class Persist;";

    [Theory]
    [InlineData(null, null, "x86-64 and ARM64, chosen at run time (no RuntimeIdentifier")]
    [InlineData(null, "linux-x64", "x86-64 (RuntimeIdentifier=linux-x64)")]
    [InlineData(null, "linux-musl-x64", "x86-64 (RuntimeIdentifier=linux-musl-x64)")]
    [InlineData(null, "linux-arm64", "ARM64 (RuntimeIdentifier=linux-arm64)")]
    [InlineData("arm64", "linux-x64", "ARM64 (PmemTarget=arm64)")]
    [InlineData("X64", "linux-arm64", "x86-64 (PmemTarget=X64)")]
    [InlineData("auto", "linux-arm64", "x86-64 and ARM64, chosen at run time (PmemTarget=auto)")]
    [InlineData("simulated", null, "simulated (recording) (PmemTarget=simulated)")]
    public void ThePropertyWinsOverTheRuntimeIdentifier(string? pmemTarget, string? runtimeIdentifier, string header)
    {
        GeneratorHarness.Result result = GeneratorHarness.Run(Persist, pmemTarget, runtimeIdentifier);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Contains("// Pmem primitives for " + header, result.Single);
    }

    [Fact]
    public void TheAttributeWinsOverTheBuild()
    {
        GeneratorHarness.Result result = GeneratorHarness.Run(
            "[Pmem.PmemPrimitives(Pmem.PmemTarget.Simulated)] internal static partial class SimPersist;", "x64", "linux-x64");
        Assert.Contains("// Pmem primitives for simulated (recording) ([PmemPrimitives(PmemTarget.Simulated)])", result.Single);
        Assert.Contains("global::Pmem.Simulation.PmemSimulation.Fence();", result.Single);
    }

    public static TheoryData<string> AttributeTargetNames => new(Enum.GetNames<PmemTarget>().Where(name => name != nameof(PmemTarget.FromBuild)));

    [Theory]
    [MemberData(nameof(AttributeTargetNames))]
    public void EveryPmemTargetMemberTheAttributeCanNameSelectsItsOwnSequence(string member)
    {
        GeneratorHarness.Result result = GeneratorHarness.Run(
            $"[Pmem.PmemPrimitives(Pmem.PmemTarget.{member})] internal static partial class Persist;", "x64", "linux-x64");
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Contains($"([PmemPrimitives(PmemTarget.{member})]).", result.Single);
    }

    [Fact]
    public void AnAttributeNamingFromBuildLeavesTheChoiceToTheBuild()
    {
        GeneratorHarness.Result result = GeneratorHarness.Run(
            "[Pmem.PmemPrimitives(Pmem.PmemTarget.FromBuild)] internal static partial class Persist;", "arm64", "linux-x64");
        Assert.Contains("// Pmem primitives for ARM64 (PmemTarget=arm64).", result.Single);
    }

    [Fact]
    public void EachTargetContainsOnlyItsOwnSequence()
    {
        string x64 = GeneratorHarness.Run(Persist, "x64").Single;
        string arm64 = GeneratorHarness.Run(Persist, "arm64").Single;
        Assert.DoesNotContain("Arm64Sequence", x64);
        Assert.DoesNotContain("IsSupported", x64);
        Assert.DoesNotContain("X64Sequence", arm64);
        Assert.DoesNotContain("IsSupported", arm64);
    }

    [Fact]
    public void AnUnrelatedEditDoesNotRegenerate()
    {
        GeneratorHarness.Result first = GeneratorHarness.Run(Persist, "x64");
        Microsoft.CodeAnalysis.Compilation edited = first.Output.AddSyntaxTrees(
            Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("class Unrelated { }", cancellationToken: TestContext.Current.CancellationToken));
        Microsoft.CodeAnalysis.GeneratorDriver driver = first.Driver.RunGenerators(edited, TestContext.Current.CancellationToken);
        var outputs = driver.GetRunResult().Results.SelectMany(r => r.TrackedOutputSteps).SelectMany(step => step.Value).SelectMany(run => run.Outputs);
        Assert.All(outputs, output => Assert.True(
            output.Reason is Microsoft.CodeAnalysis.IncrementalStepRunReason.Cached or Microsoft.CodeAnalysis.IncrementalStepRunReason.Unchanged,
            $"output step re-ran: {output.Reason}"));
    }
}
