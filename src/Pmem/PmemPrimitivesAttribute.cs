namespace Pmem;

/// <summary>
/// Marks a <c>static partial class</c> that the Pmem source generator fills in with
/// <c>PmemMemcpy</c>, <c>PmemFlush</c>, <c>PmemCommit</c> and <c>PmemAssign</c>, specialized for one CPU target.
/// </summary>
/// <example>
/// <code>
/// [PmemPrimitives]
/// internal static partial class Persist;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class PmemPrimitivesAttribute : Attribute
{
    /// <summary>Uses the target the build selects (<c>PmemTarget</c> or <c>RuntimeIdentifier</c>).</summary>
    public PmemPrimitivesAttribute() => Target = PmemTarget.FromBuild;

    /// <summary>Uses <paramref name="target"/> for this class whatever the build selects (for example <see cref="PmemTarget.Simulated"/> in crash tests).</summary>
    /// <param name="target">The instruction sequence to generate.</param>
    public PmemPrimitivesAttribute(PmemTarget target) => Target = target;

    /// <summary>The target this class is generated for.</summary>
    public PmemTarget Target { get; }
}
