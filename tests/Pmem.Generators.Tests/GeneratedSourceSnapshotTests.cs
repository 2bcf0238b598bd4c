namespace Pmem.Generators.Tests;

/// <summary>
/// The generated primitives for each target, compared with the reviewed snapshots in Snapshots/. After an intended
/// change, run with PMEM_UPDATE_SNAPSHOTS=1 and review the diff of the snapshot files.
/// </summary>
public sealed class GeneratedSourceSnapshotTests
{
    private const string Source = """
        namespace MyApp.Storage;

        [Pmem.PmemPrimitives]
        internal static partial class Persist;
        """;

    [Theory]
    [InlineData("x64", null, "linux-x64")]
    [InlineData("arm64", null, "linux-arm64")]
    [InlineData("auto", null, null)]
    [InlineData("simulated", "simulated", "linux-x64")]
    public void EachTargetMatchesItsSnapshotAndCompiles(string snapshot, string? pmemTarget, string? runtimeIdentifier)
    {
        GeneratorHarness.Result result = GeneratorHarness.Run(Source, pmemTarget, runtimeIdentifier);

        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilationErrors);
        Assert.Equal("MyApp.Storage.Persist.PmemPrimitives.g.cs", Assert.Single(result.Sources).HintName);
        Snapshot.Match(snapshot, result.Single);
    }

    [Fact]
    public void AGlobalNamespacePublicClassGetsPublicMembersWithoutANamespace()
    {
        GeneratorHarness.Result result = GeneratorHarness.Run("[Pmem.PmemPrimitives] public static partial class Persist { }", "x64");
        Assert.Empty(result.CompilationErrors);
        Assert.DoesNotContain("namespace", result.Single);
        Assert.Contains("public static partial class Persist", result.Single);
        Assert.Equal("Persist.PmemPrimitives.g.cs", Assert.Single(result.Sources).HintName);
    }

    [Fact]
    public void EveryPrimitiveHasTheShapeUsersAndTheAnalyzerRelyOn()
    {
        string generated = GeneratorHarness.Run(Source, "x64").Single;
        Assert.Contains("public static void PmemMemcpy(global::System.Span<byte> destination, global::System.ReadOnlySpan<byte> source)", generated);
        Assert.Contains("public static void PmemFlush(global::System.ReadOnlySpan<byte> range)", generated);
        Assert.Contains("public static void PmemCommit()", generated);
        foreach (string type in new[] { "ulong", "long", "uint", "int", "ushort", "short", "byte" })
        {
            Assert.Contains($"public static void PmemAssign(ref {type} location, {type} value)", generated);
        }
    }
}
