using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Pmem.Analyzers.Tests;

/// <summary>Help links: <c>PMEMnnn.md</c> under the build property <c>PmemRulesUrl</c> (docs/analyzer.md, "Help links").</summary>
public sealed class HelpLinkTests
{
    private const string EveryDurabilityRule = """
        using System;
        using Pmem;

        class C
        {
            void M(PmemRegion region, byte[] data)
            {
                Persist.PmemMemcpy(region.Slice(0, 64), data);
                region.Span[64] = 1;
                Persist.PmemAssign(ref region.AsRef<ulong>(4), 1UL);
            }
        }
        """;

    [Theory]
    [InlineData("https://docs.example/pmem/rules/", "https://docs.example/pmem/rules/")]
    [InlineData("https://docs.example/pmem/rules", "https://docs.example/pmem/rules/")]
    [InlineData("/opt/nuget/pmem/0.1.0/docs/rules/", "file:///opt/nuget/pmem/0.1.0/docs/rules/")]
    [InlineData("/opt/a dir/rules", "file:///opt/a%20dir/rules/")]
    public async Task Each_diagnostic_links_to_its_page_under_PmemRulesUrl(string rulesUrl, string expectedBase)
    {
        ImmutableArray<Diagnostic> diagnostics = await AnalyzeWith(new Dictionary<string, string> { ["PmemRulesUrl"] = rulesUrl });

        Assert.Equal(["PMEM001", "PMEM002", "PMEM003", "PMEM004"], diagnostics.Select(d => d.Id).Distinct().Order(StringComparer.Ordinal));
        Assert.All(diagnostics, d => Assert.Equal(expectedBase + d.Id + ".md", d.Descriptor.HelpLinkUri));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a link")]
    public async Task Without_a_usable_PmemRulesUrl_there_is_no_link(string? rulesUrl)
    {
        var properties = new Dictionary<string, string>();
        if (rulesUrl is not null)
        {
            properties["PmemRulesUrl"] = rulesUrl;
        }

        ImmutableArray<Diagnostic> diagnostics = await AnalyzeWith(properties);

        Assert.NotEmpty(diagnostics);
        Assert.All(diagnostics, d => Assert.Equal(string.Empty, d.Descriptor.HelpLinkUri));
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeWith(Dictionary<string, string> properties)
    {
        (ImmutableArray<Diagnostic> diagnostics, _) = await TestCompilation.AnalyzeAsync(
            TestCompilation.Create(EveryDurabilityRule), new PmemDurabilityAnalyzer(), new BuildProperties(properties).ToAnalyzerOptions());
        return diagnostics;
    }
}
