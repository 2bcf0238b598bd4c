using System.IO.Compression;

[assembly: AssemblyFixture(typeof(Pmem.Package.Tests.PackedPackage))]

namespace Pmem.Package.Tests;

/// <summary>The packed Pmem.nupkg, consumed by a project that references nothing else, as a user would.</summary>
public sealed class ConsumerTests(PackedPackage package)
{
    [Fact]
    public void ThePackageHoldsTheRuntimeTheGeneratorAndTheTransitiveProps()
    {
        using ZipArchive nupkg = ZipFile.OpenRead(package.Nupkg);
        string[] entries = [.. nupkg.Entries.Select(e => e.FullName)];
        Assert.Contains("lib/net10.0/Pmem.dll", entries);
        Assert.Contains("lib/net10.0/Pmem.xml", entries);
        Assert.Contains("analyzers/dotnet/cs/Pmem.Generators.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Pmem.Analyzers.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Pmem.Analyzers.CodeFixes.dll", entries);
        Assert.Contains("buildTransitive/Pmem.props", entries);
        Assert.Contains("README.md", entries);
        Assert.All(Enumerable.Range(1, 6), rule => Assert.Contains($"docs/rules/PMEM{rule:000}.md", entries));
        Assert.Contains("docs/analyzer.md", entries); // the rule pages link to it
        string nuspec = new StreamReader(nupkg.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open()).ReadToEnd();
        Assert.DoesNotContain("Pmem.Generators\"", nuspec); // the generator ships inside, not as a dependency
    }

    [Fact]
    public async Task ADefaultBuildGetsAutoPrimitivesThatRunHere()
    {
        string consumer = package.WriteConsumer("default");
        string build = await PackedPackage.DotnetAsync(consumer, "build", "-c", "Release", "-nologo");
        string generated = ReadGenerated(consumer, Path.Combine("obj", "Release", "net10.0"));
        Assert.Contains("// Pmem primitives for x86-64 and ARM64, chosen at run time", generated);

        string pool = Path.Combine("/dev/shm", $"pmem-consumer-{Guid.NewGuid():N}");
        try
        {
            string output = await PackedPackage.DotnetAsync(consumer, Path.Combine(consumer, "bin", "Release", "net10.0", "Consumer.dll"), pool);
            Assert.Contains("read back: hello, persistent world", output);
        }
        finally
        {
            File.Delete(pool);
        }

        AssertAnalyzerReportedMissingFlush(build);
        AssertTheHelpLinkOpensTheRulePageInThePackage(consumer);
    }

    [Fact]
    public async Task ALinuxArm64BuildGetsTheArm64SequenceAndRunsUnderQemu()
    {
        string consumer = package.WriteConsumer("arm64");
        string publish = Path.Combine(consumer, "publish");
        await PackedPackage.DotnetAsync(consumer, "publish", "-c", "Release", "-r", "linux-arm64", "--self-contained", "-o", publish, "-nologo");
        string generated = ReadGenerated(consumer, Path.Combine("obj", "Release", "net10.0", "linux-arm64"));
        Assert.Contains("// Pmem primitives for ARM64 (RuntimeIdentifier=linux-arm64)", generated);
        Assert.Contains("Arm64Sequence.Flush(range);", generated);
        Assert.DoesNotContain("X64Sequence", generated);

        string pool = Path.Combine("/dev/shm", $"pmem-consumer-arm64-{Guid.NewGuid():N}");
        try
        {
            string output = (await ExternalProgram.RunAsync(
                "qemu-aarch64-static",
                ["-L", "/usr/aarch64-linux-gnu", Path.Combine(publish, "Consumer"), pool],
                timeoutSeconds: 600,
                new Dictionary<string, string> { ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1", ["DOTNET_EnableWriteXorExecute"] = "0" })).Succeeded().All();
            Assert.Contains("read back: hello, persistent world", output);
            Assert.Contains("cpu: arm64: dc cva", output);
        }
        finally
        {
            File.Delete(pool);
        }
    }

    private void AssertAnalyzerReportedMissingFlush(string buildOutput)
    {
        using ZipArchive nupkg = ZipFile.OpenRead(package.Nupkg);
        Assert.True(nupkg.GetEntry("analyzers/dotnet/cs/Pmem.Analyzers.dll") != null, "the package ships no analyzer (analyzers/dotnet/cs/Pmem.Analyzers.dll)");
        Assert.Matches(@"Program\.cs\(\d+,\d+\): warning PMEM001", buildOutput);
    }

    /// <summary>By default (no PmemRulesUrl) a diagnostic links to its page in the restored package (docs/analyzer.md, "Help links").</summary>
    private void AssertTheHelpLinkOpensTheRulePageInThePackage(string consumer)
    {
        string page = Path.Combine(package.Packages, "pmem", package.Version, "docs", "rules", "PMEM001.md");
        Assert.True(File.Exists(page), $"{page} was not restored with the package");
        Assert.Equal(new Uri(page).AbsoluteUri, SarifLog.Read(Path.Combine(consumer, PackedPackage.DiagnosticsLog)).HelpLinks["PMEM001"]);
    }

    private static string ReadGenerated(string consumer, string intermediate)
    {
        string directory = Path.Combine(consumer, intermediate, "generated");
        string file = Directory.GetFiles(directory, "*.PmemPrimitives.g.cs", SearchOption.AllDirectories).Single();
        return File.ReadAllText(file);
    }
}
