using System.Linq;
using Microsoft.CodeAnalysis;
using Pmem.Generators.Model;

namespace Pmem.Generators.Diagnostics
{
    /// <summary>
    /// A diagnostic reduced to values, created where the generator finds the problem and carried in its pipeline model
    /// to the one place that reports it (<see cref="DiagnosticOutput.RegisterDiagnostics"/>). A <see cref="Diagnostic"/>
    /// holds a <see cref="Location"/> and so a SyntaxTree, which changes on every edit and would defeat the
    /// incremental cache; this record compares equal whenever the diagnostic would read the same.
    /// </summary>
    /// <param name="Descriptor">Which rule is broken.</param>
    /// <param name="Location">Where, or null for a problem of the build rather than of the source.</param>
    /// <param name="MessageArguments">The values for the descriptor's message format, in order.</param>
    internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> MessageArguments)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] messageArguments) =>
            new(descriptor, location, new EquatableArray<string>(messageArguments));

        public Diagnostic ToDiagnostic() =>
            Diagnostic.Create(Descriptor, Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None, MessageArguments.ToArray<object>());
    }
}
