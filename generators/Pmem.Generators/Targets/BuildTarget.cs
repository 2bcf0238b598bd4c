using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Pmem.Generators.Diagnostics;
using Pmem.Generators.Model;

namespace Pmem.Generators.Targets
{
    /// <summary>
    /// The target the build asks for: the MSBuild property <c>PmemTarget</c>, or else one derived from
    /// <c>RuntimeIdentifier</c> (no identifier: <c>auto</c>). Both reach the generator through
    /// <c>CompilerVisibleProperty</c> items in the package's buildTransitive props.
    /// </summary>
    /// <param name="Target">The sequence to emit.</param>
    /// <param name="Reason">Why, for the header of the generated file.</param>
    /// <param name="Diagnostics">What is wrong with the build's properties (the target then falls back to <c>auto</c>).</param>
    internal sealed record BuildTarget(GeneratorTarget Target, string Reason, EquatableArray<DiagnosticInfo> Diagnostics)
    {
        public static BuildTarget From(AnalyzerConfigOptions globalOptions)
        {
            globalOptions.TryGetValue("build_property.PmemTarget", out string? property);
            globalOptions.TryGetValue("build_property.RuntimeIdentifier", out string? runtimeIdentifier);
            return From(property, runtimeIdentifier);
        }

        public static BuildTarget From(string? property, string? runtimeIdentifier)
        {
            if (!string.IsNullOrWhiteSpace(property))
            {
                string value = property!.Trim();
                GeneratorTarget? named = Parse(value);
                return named is { } target
                    ? Chosen(target, $"PmemTarget={value}")
                    : Fallback($"PmemTarget={value} is unknown", DiagnosticDescriptors.UnknownTarget, value);
            }

            if (string.IsNullOrWhiteSpace(runtimeIdentifier))
            {
                return Chosen(GeneratorTarget.Auto, "no RuntimeIdentifier: both sequences, chosen at run time");
            }

            string rid = runtimeIdentifier!.Trim();
            if (rid.EndsWith("-x64", StringComparison.OrdinalIgnoreCase))
            {
                return Chosen(GeneratorTarget.X64, $"RuntimeIdentifier={rid}");
            }

            if (rid.EndsWith("-arm64", StringComparison.OrdinalIgnoreCase))
            {
                return Chosen(GeneratorTarget.Arm64, $"RuntimeIdentifier={rid}");
            }

            return Fallback($"RuntimeIdentifier={rid} is neither x64 nor arm64", DiagnosticDescriptors.UnsupportedRuntimeIdentifier, rid);
        }

        private static BuildTarget Chosen(GeneratorTarget target, string reason) => new(target, reason, EquatableArray<DiagnosticInfo>.Empty);

        // A problem of the build, not of a source file: reported without a location.
        private static BuildTarget Fallback(string reason, DiagnosticDescriptor problem, string value) =>
            new(GeneratorTarget.Auto, reason, new EquatableArray<DiagnosticInfo>(DiagnosticInfo.Create(problem, null, value)));

        private static GeneratorTarget? Parse(string value) => value.ToLowerInvariant() switch
        {
            "auto" => GeneratorTarget.Auto,
            "x64" or "x86-64" or "x86_64" or "amd64" => GeneratorTarget.X64,
            "arm64" or "aarch64" => GeneratorTarget.Arm64,
            "simulated" => GeneratorTarget.Simulated,
            _ => null,
        };
    }
}
