using Microsoft.CodeAnalysis;

namespace Pmem.Generators.Diagnostics
{
    /// <summary>The diagnostics both generators report for misuse (each is created as a <see cref="DiagnosticInfo"/>).</summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "Pmem.Generator";
        private const string HelpLinkBase = "https://example.invalid/pmem/docs/rules/";

        public static readonly DiagnosticDescriptor PrimitivesClassShape = new(
            id: "PMEM100",
            title: "A [PmemPrimitives] class must be a top-level, non-generic static partial class",
            messageFormat: "'{0}' cannot hold the Pmem primitives: it must be a top-level, non-generic 'static partial class'",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "PMEM100.md");

        public static readonly DiagnosticDescriptor UnknownTarget = new(
            id: "PMEM101",
            title: "Unknown PmemTarget",
            messageFormat: "PmemTarget '{0}' is not a Pmem target; use x64, arm64, auto or simulated",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "PMEM101.md");

        public static readonly DiagnosticDescriptor UnsupportedRuntimeIdentifier = new(
            id: "PMEM102",
            title: "RuntimeIdentifier is neither x64 nor arm64",
            messageFormat: "RuntimeIdentifier '{0}' is neither x64 nor arm64: the Pmem primitives are generated for 'auto' and throw PlatformNotSupportedException on this CPU",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "PMEM102.md");

        public static readonly DiagnosticDescriptor LayoutShape = new(
            id: "PMEM103",
            title: "A [PmemLayout] type must be a top-level partial struct with explicit layout",
            messageFormat: "'{0}' cannot be a Pmem layout: {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "PMEM103.md");

        public static readonly DiagnosticDescriptor MisalignedLayoutField = new(
            id: "PMEM104",
            title: "A persistent field is not aligned to its size",
            messageFormat: "Field '{0}' of '{1}' is {2} bytes at offset {3}: not aligned to its size, so no single store updates it failure-atomically",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinkBase + "PMEM104.md");
    }
}
