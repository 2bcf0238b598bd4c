using System;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Pmem.Generators.Targets
{
    /// <summary>
    /// The target the build asks for: the MSBuild property <c>PmemTarget</c>, or else one derived from
    /// <c>RuntimeIdentifier</c> (no identifier: <c>auto</c>). Both reach the generator through
    /// <c>CompilerVisibleProperty</c> items in the package's buildTransitive props.
    /// </summary>
    internal sealed record BuildTarget(GeneratorTarget Target, string Reason, string? UnknownTarget, string? UnsupportedRuntimeIdentifier)
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
                    ? new BuildTarget(target, $"PmemTarget={value}", null, null)
                    : new BuildTarget(GeneratorTarget.Auto, $"PmemTarget={value} is unknown", value, null);
            }

            if (string.IsNullOrWhiteSpace(runtimeIdentifier))
            {
                return new BuildTarget(GeneratorTarget.Auto, "no RuntimeIdentifier: both sequences, chosen at run time", null, null);
            }

            string rid = runtimeIdentifier!.Trim();
            if (rid.EndsWith("-x64", StringComparison.OrdinalIgnoreCase))
            {
                return new BuildTarget(GeneratorTarget.X64, $"RuntimeIdentifier={rid}", null, null);
            }

            if (rid.EndsWith("-arm64", StringComparison.OrdinalIgnoreCase))
            {
                return new BuildTarget(GeneratorTarget.Arm64, $"RuntimeIdentifier={rid}", null, null);
            }

            return new BuildTarget(GeneratorTarget.Auto, $"RuntimeIdentifier={rid} is neither x64 nor arm64", null, rid);
        }

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
