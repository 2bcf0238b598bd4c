using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Pmem.Analyzers
{
    /// <summary>
    /// The help link of each rule in one compilation: <c>PMEMnnn.md</c> under the build property <c>PmemRulesUrl</c>.
    /// The package's props set it to the rule pages shipped inside the package (a local directory, turned into a
    /// <c>file:</c> link); a build may set it to any web address instead. Without it the rules carry no link.
    /// </summary>
    internal sealed class RuleHelpLinks
    {
        /// <summary>The analyzer config key of the MSBuild property (a <c>CompilerVisibleProperty</c> of the package's props).</summary>
        public const string BuildProperty = "build_property.PmemRulesUrl";

        private static readonly RuleHelpLinks None = new(ImmutableDictionary<string, DiagnosticDescriptor>.Empty);

        private readonly ImmutableDictionary<string, DiagnosticDescriptor> _linked;

        private RuleHelpLinks(ImmutableDictionary<string, DiagnosticDescriptor> linked)
        {
            _linked = linked;
        }

        /// <summary>The links configured for a compilation by its build's <c>PmemRulesUrl</c>.</summary>
        public static RuleHelpLinks From(AnalyzerOptions options) =>
            options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue(BuildProperty, out string? configured) ? From(configured) : None;

        /// <summary>The links under <paramref name="rulesUrl"/>: a URL or a local directory; nothing when it is neither.</summary>
        public static RuleHelpLinks From(string? rulesUrl)
        {
            if (BaseOf(rulesUrl) is not { } baseUri)
            {
                return None;
            }

            ImmutableDictionary<string, DiagnosticDescriptor>.Builder linked = ImmutableDictionary.CreateBuilder<string, DiagnosticDescriptor>();
            foreach (DiagnosticDescriptor rule in DiagnosticDescriptors.All)
            {
                string helpLink = new Uri(baseUri, rule.Id + ".md").AbsoluteUri;
                linked.Add(rule.Id, new DiagnosticDescriptor(
                    rule.Id, rule.Title, rule.MessageFormat, rule.Category, rule.DefaultSeverity, rule.IsEnabledByDefault, rule.Description, helpLink, ToArray(rule.CustomTags)));
            }

            return new RuleHelpLinks(linked.ToImmutable());
        }

        /// <summary><paramref name="rule"/> with this compilation's help link.</summary>
        public DiagnosticDescriptor For(DiagnosticDescriptor rule) => _linked.TryGetValue(rule.Id, out DiagnosticDescriptor? linked) ? linked : rule;

        /// <summary>The directory the rule pages are in, as an absolute URI ending in '/'.</summary>
        private static Uri? BaseOf(string? rulesUrl)
        {
            string trimmed = rulesUrl?.Trim() ?? string.Empty;
            if (trimmed.Length == 0)
            {
                return null;
            }

            // A relative reference resolves against the last '/': "…/rules" must mean the directory, not a file in "…/".
            string directory = trimmed.EndsWith("/", StringComparison.Ordinal) || trimmed.EndsWith("\\", StringComparison.Ordinal) ? trimmed : trimmed + "/";
            return Uri.TryCreate(directory, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https" or "file" ? uri : null;
        }

        private static string[] ToArray(IEnumerable<string> tags) => new List<string>(tags).ToArray();
    }
}
