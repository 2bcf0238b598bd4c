namespace Pmem.Testing.Tests;

/// <summary>The persistence models, for theories that must hold under every one.</summary>
public static class Models
{
    public static TheoryData<PmemModel> All => [PmemModel.X64, PmemModel.Arm64, PmemModel.Eadr];
}
