using System.Security.Cryptography;
using Pmem.WriteCache;

namespace Pmem.Kernel.Tests.Differential;

/// <summary>Runs a workload on ours: the library's <see cref="WriteCacheDevice"/> in-process, on files, same table line and steps.</summary>
internal static class OurTarget
{
    /// <summary>Runs <paramref name="workload"/> on <paramref name="origin"/> and <paramref name="cache"/> (fresh files) and closes the cache cleanly.</summary>
    /// <returns>One checkpoint per phase.</returns>
    public static async Task<List<Checkpoint>> RunAsync(Workload workload, string origin, string cache, byte[] payload)
    {
        var checkpoints = new List<Checkpoint>();
        WriteCacheDevice device = await WriteCacheDevice.OpenAsync(workload.TableLine(origin, cache, workload.OptionalArguments));
        try
        {
            foreach (WorkloadOp op in workload.Ops)
            {
                long offset = op.Block * workload.BlockSize;
                int length = op.Blocks * workload.BlockSize;
                switch (op.Kind)
                {
                    case OpKind.Write:
                    case OpKind.FuaWrite:
                        await device.WriteAsync(offset, payload.AsMemory((int)(op.SourceBlock * workload.BlockSize), length),
                            op.Kind == OpKind.FuaWrite ? WriteCacheWriteFlags.ForceUnitAccess : WriteCacheWriteFlags.None);
                        if (op.Kind == OpKind.FuaWrite)
                        {
                            await device.FlushAsync();
                        }

                        break;
                    case OpKind.Flush:
                        await device.FlushAsync();
                        break;
                    case OpKind.Discard:
                        await device.DiscardAsync(offset, length);
                        break;
                    case OpKind.Read:
                        await device.ReadAsync(offset, new byte[length]);
                        break;
                    case OpKind.Message:
                        await device.SendMessageAsync(op.Text);
                        break;
                    case OpKind.SuspendResume:
                        await device.SuspendAsync();
                        await device.ResumeAsync();
                        break;
                    case OpKind.Reload:
                        // dmsetup suspend + reload + resume: the old target is suspended and destroyed, a new one built on the same devices.
                        await device.DisposeAsync();
                        device = await WriteCacheDevice.OpenAsync(workload.TableLine(origin, cache, op.Text));
                        break;
                    case OpKind.Checkpoint:
                        checkpoints.Add(await CheckpointAsync(device));
                        await device.SendMessageAsync("clear_stats");
                        break;
                }
            }
        }
        finally
        {
            await device.DisposeAsync();
        }

        return checkpoints;
    }

    /// <summary>Opens the images with <paramref name="tableLine"/>, hashes the device and closes it.</summary>
    public static async Task<Checkpoint> OpenAsync(string tableLine)
    {
        await using WriteCacheDevice device = await WriteCacheDevice.OpenAsync(tableLine);
        return await CheckpointAsync(device);
    }

    private static async Task<Checkpoint> CheckpointAsync(WriteCacheDevice device)
    {
        // In ssd mode autocommit_blocks queues the commit, in the kernel and here. The guest reads the status in a new
        // process after dd has exited, by when the kernel's flush work has run; in-process the status would come
        // first, and the uncommitted second copies of a run that extended over cached blocks would still be counted.
        await device.WhenBackgroundCommitDone();
        string[] status = device.GetStatus().ToString().Split(' ');
        string table = Checkpoint.WithoutDevices(device.Table.ToString().Split(' '));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var block = new byte[device.LogicalBlockSize];
        for (long offset = 0; offset < device.Length; offset += block.Length)
        {
            await device.ReadAsync(offset, block); // block by block, as the guest's dd reads the kernel's device
            hash.AppendData(block);
        }

        return new Checkpoint(status, table, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
