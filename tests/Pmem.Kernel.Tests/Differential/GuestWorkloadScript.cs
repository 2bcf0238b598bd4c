using System.Globalization;
using System.Text;

namespace Pmem.Kernel.Tests.Differential;

/// <summary>The guest script that runs a batch of workloads on the kernel target, one slice of the shared disks each.</summary>
internal static class GuestWorkloadScript
{
    /// <summary>Runs every workload of <paramref name="batch"/> from its first table to its clean close.</summary>
    public static string Run(IReadOnlyList<Workload> batch) => Build(batch, (script, k, workload) =>
    {
        string arguments = workload.OptionalArguments;
        Line(script, $"create {k} \"{workload.TableLine($"/dev/mapper/o{k}", $"/dev/mapper/c{k}", arguments)}\"");
        int phase = 0;
        foreach (WorkloadOp op in workload.Ops)
        {
            long offset = op.Block * workload.BlockSize;
            long length = (long)op.Blocks * workload.BlockSize;
            switch (op.Kind)
            {
                case OpKind.Write:
                    Line(script, $"wr {k} {offset} {length} {op.SourceBlock * workload.BlockSize}");
                    break;
                case OpKind.FuaWrite:
                    Line(script, $"wr {k} {offset} {length} {op.SourceBlock * workload.BlockSize} dsync");
                    break;
                case OpKind.Flush:
                    Line(script, $"fl {k}");
                    break;
                case OpKind.Discard:
                    Line(script, $"dc {k} {offset} {length}");
                    break;
                case OpKind.Read:
                    Line(script, $"rd {k} {offset} {length}");
                    break;
                case OpKind.Message:
                    Line(script, $"msg {k} {op.Text}");
                    break;
                case OpKind.SuspendResume:
                    Line(script, $"sr {k}");
                    break;
                case OpKind.Reload:
                    Line(script, $"rl {k} \"{workload.TableLine($"/dev/mapper/o{k}", $"/dev/mapper/c{k}", op.Text)}\"");
                    break;
                case OpKind.Checkpoint:
                    Line(script, $"ck {k} {phase++} {workload.BlockSize}");
                    break;
            }
        }

        Line(script, $"fin {k}");
    });

    /// <summary>Opens each workload's final images (made by ours) with its final table, hashes the device and closes it.</summary>
    public static string CrossOpen(IReadOnlyList<Workload> batch) => Build(batch, (script, k, workload) =>
    {
        Line(script, $"create {k} \"{workload.TableLine($"/dev/mapper/o{k}", $"/dev/mapper/c{k}", workload.FinalArguments)}\"");
        Line(script, $"ck {k} opened {workload.BlockSize}");
        Line(script, $"fin {k}");
    });

    private static string Build(IReadOnlyList<Workload> batch, Action<StringBuilder, int, Workload> body)
    {
        var script = new StringBuilder();
        Line(script, $"ORIGIN_SECTORS={Workload.OriginSize / 512}; CACHE_SECTORS={Workload.CacheSize / 512}");
        script.Append(File.ReadAllText(Path.Combine(KernelVm.ScriptDirectory, "guest-workload.sh")));
        if (batch.Any(workload => workload.Mode == "p"))
        {
            script.AppendLine("pmem-fsdax || echo '@FAIL - pmem-fsdax'");
        }

        for (int k = 0; k < batch.Count; k++)
        {
            Line(script, $"slices {k} {batch[k].Mode}");
            body(script, k, batch[k]);
        }

        return script.ToString();
    }

    private static void Line(StringBuilder script, FormattableString line) => script.AppendLine(line.ToString(CultureInfo.InvariantCulture));
}
