using System.Globalization;

namespace Pmem.Kernel.Tests.Differential;

/// <summary>
/// A workload generated from a seed: a table line (mode, block size, optional arguments) and the steps run on both
/// targets. Geometry: a 2 MiB origin and a 2 MiB cache (see <see cref="WorkloadGenerator"/>).
/// </summary>
/// <param name="Seed">The seed it was generated from; the same seed gives the same workload.</param>
/// <param name="Mode"><c>p</c> or <c>s</c>.</param>
/// <param name="BlockSize">512 or 4096.</param>
/// <param name="OptionalArguments">The optional part of the first table line (without the count).</param>
/// <param name="Ops">The steps; the last is a checkpoint.</param>
/// <param name="ShortenedReads">p-mode reads cut to one block because of the kernel's read bug (<see cref="WorkloadGenerator"/>).</param>
internal sealed record Workload(int Seed, string Mode, int BlockSize, string OptionalArguments, IReadOnlyList<WorkloadOp> Ops, int ShortenedReads)
{
    public const long OriginSize = 2 << 20;
    public const long CacheSize = 2 << 20;
    public const long PayloadSize = 1 << 20;

    /// <summary>The table line without <c>0 SECTORS writecache</c>, for the given device names and optional arguments.</summary>
    public string TableLine(string origin, string cache, string optionalArguments)
    {
        int words = optionalArguments.Length == 0 ? 0 : optionalArguments.Split(' ').Length;
        return string.Create(CultureInfo.InvariantCulture, $"{Mode} {origin} {cache} {BlockSize} {words}{(words == 0 ? string.Empty : " " + optionalArguments)}");
    }

    /// <summary>The optional arguments in force at the end (after the last reload).</summary>
    public string FinalArguments => Ops.LastOrDefault(op => op.Kind == OpKind.Reload)?.Text ?? OptionalArguments;

    public override string ToString() => $"seed {Seed} ({Mode} {BlockSize} {OptionalArguments})";
}
