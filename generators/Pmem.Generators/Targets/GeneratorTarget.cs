namespace Pmem.Generators.Targets
{
    /// <summary>
    /// The sequences the generator can emit. Chosen by the build (<see cref="BuildTarget"/>) or by the attribute
    /// (<see cref="AttributeTarget"/>, which maps <c>Pmem.PmemTarget</c> onto it by member name).
    /// </summary>
    internal enum GeneratorTarget
    {
        Auto,
        X64,
        Arm64,
        Simulated,
    }
}
