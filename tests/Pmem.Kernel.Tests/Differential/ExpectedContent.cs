using System.Security.Cryptography;

namespace Pmem.Kernel.Tests.Differential;

/// <summary>
/// What the device must contain after each phase, from the workload alone: writes copy payload blocks, discards leave
/// zeros (the origin's blocks are punched, the cached copies dropped). Says which side is wrong when the two differ.
/// </summary>
internal static class ExpectedContent
{
    /// <summary>The SHA-256 of the device at each checkpoint.</summary>
    public static List<string> Hashes(Workload workload, byte[] payload)
    {
        var device = new byte[Workload.OriginSize];
        var hashes = new List<string>();
        foreach (WorkloadOp op in workload.Ops)
        {
            int offset = (int)(op.Block * workload.BlockSize);
            int length = op.Blocks * workload.BlockSize;
            switch (op.Kind)
            {
                case OpKind.Write:
                case OpKind.FuaWrite:
                    payload.AsSpan((int)(op.SourceBlock * workload.BlockSize), length).CopyTo(device.AsSpan(offset));
                    break;
                case OpKind.Discard:
                    device.AsSpan(offset, length).Clear();
                    break;
                case OpKind.Checkpoint:
                    hashes.Add(Convert.ToHexStringLower(SHA256.HashData(device)));
                    break;
            }
        }

        return hashes;
    }
}
