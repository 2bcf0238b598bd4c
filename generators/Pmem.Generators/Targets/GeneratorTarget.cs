namespace Pmem.Generators.Targets
{
    /// <summary>The sequences the generator can emit; the numbering matches <c>Pmem.PmemTarget</c> in the runtime.</summary>
    internal enum GeneratorTarget
    {
        FromBuild = 0,
        Auto = 1,
        X64 = 2,
        Arm64 = 3,
        Simulated = 4,
    }
}
