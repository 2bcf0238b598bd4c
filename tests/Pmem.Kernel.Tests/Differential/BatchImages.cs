namespace Pmem.Kernel.Tests.Differential;

/// <summary>
/// The disk images of one VM boot running a batch of workloads: the payload (/dev/vda), the origins one after another
/// (/dev/vdb), the ssd caches (/dev/vdc) and the NVDIMM of the pmem caches (2 MiB of fsdax info block, then the
/// caches). Workload k uses slice k of each.
/// </summary>
/// <param name="Payload">The payload the writes copy from (/dev/vda).</param>
/// <param name="Origins">The origins, one after another (/dev/vdb).</param>
/// <param name="Caches">The ssd caches (/dev/vdc).</param>
/// <param name="Nvdimm">The NVDIMM's backing file.</param>
internal sealed record BatchImages(string Payload, string Origins, string Caches, string Nvdimm)
{
    /// <summary>pmem-fsdax failed on a 6 MiB NVDIMM here; 18 MiB works.</summary>
    private const long MinimumNvdimmSize = 18 << 20;

    public IEnumerable<string> BootOptions => ["--disk", Payload, "--disk", Origins, "--disk", Caches, "--pmem", Nvdimm];

    /// <summary>Empty origins and caches for <paramref name="count"/> workloads.</summary>
    public static BatchImages Create(Scratch scratch, string name, string payload, int count)
    {
        var images = new BatchImages(payload, scratch.PathOf($"{name}-origins.img"), scratch.PathOf($"{name}-caches.img"), scratch.PathOf($"{name}-nvdimm.img"));
        Scratch.CreateFile(images.Origins, count * Workload.OriginSize);
        Scratch.CreateFile(images.Caches, count * Workload.CacheSize);
        Scratch.CreateFile(images.Nvdimm, Math.Max(MinimumNvdimmSize, KernelVm.NvdimmDataOffset + (count * Workload.CacheSize)));
        return images;
    }

    /// <summary>Workload <paramref name="k"/>'s origin and cache copied out to <paramref name="origin"/> and <paramref name="cache"/>.</summary>
    public void Extract(int k, string mode, string origin, string cache)
    {
        Copy(Origins, k * Workload.OriginSize, origin, 0, Workload.OriginSize);
        Copy(mode == "p" ? Nvdimm : Caches, CacheOffset(k, mode), cache, 0, Workload.CacheSize);
    }

    /// <summary>Workload <paramref name="k"/>'s slices filled from <paramref name="origin"/> and <paramref name="cache"/>.</summary>
    public void Insert(int k, string mode, string origin, string cache)
    {
        Copy(origin, 0, Origins, k * Workload.OriginSize, Workload.OriginSize);
        Copy(cache, 0, mode == "p" ? Nvdimm : Caches, CacheOffset(k, mode), Workload.CacheSize);
    }

    private static long CacheOffset(int k, string mode) => (mode == "p" ? KernelVm.NvdimmDataOffset : 0) + (k * Workload.CacheSize);

    private static void Copy(string source, long sourceOffset, string target, long targetOffset, long length)
    {
        var buffer = new byte[length];
        using (var input = new FileStream(source, FileMode.Open, FileAccess.Read))
        {
            input.Position = sourceOffset;
            input.ReadExactly(buffer);
        }

        using var output = new FileStream(target, FileMode.OpenOrCreate, FileAccess.Write);
        output.Position = targetOffset;
        output.Write(buffer);
    }
}
