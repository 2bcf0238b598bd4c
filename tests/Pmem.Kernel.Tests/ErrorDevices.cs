using System.Buffers.Binary;

namespace Pmem.Kernel.Tests;

/// <summary>
/// The devices of the error-text test as files: one set the VM attaches (virtio disks vda-vdh and an NVDIMM file),
/// one identical set ours opens in their place. See <see cref="ErrorCase"/> for what each device is.
/// </summary>
internal sealed class ErrorDevices
{
    public const long OriginSize = 64 << 20;
    public const long CacheSize = 16 << 20;

    private const uint Magic = 0x23489321;

    private static readonly (string Name, long Size, uint Magic, uint Version, ulong Blocks)[] Disks =
    [
        ("vda", OriginSize, 0, 0, 0),
        ("vdb", CacheSize, 0, 0, 0),
        ("vdc", 4 << 10, 0, 0, 0),
        ("vdd", 8 << 10, 0, 0, 0),
        ("vde", CacheSize, 0x12345678, 1, 4080),
        ("vdf", CacheSize, Magic, 2, 4080),
        ("vdg", CacheSize, Magic, 1, 5000),
        ("vdh", CacheSize, Magic, 1, 1UL << 60),
    ];

    private readonly Dictionary<string, string> _hostPaths = [];

    public ErrorDevices(Scratch scratch, string prefix)
    {
        foreach ((string name, long size, uint magic, uint version, ulong blocks) in Disks)
        {
            string path = Scratch.CreateFile(scratch.PathOf($"{prefix}-{name}.img"), size);
            if (magic != 0)
            {
                WriteSuperblock(path, magic, version, blocks);
            }

            _hostPaths[$"/dev/{name}"] = path;
        }

        NvdimmFile = Scratch.CreateFile(scratch.PathOf($"{prefix}-nvdimm.img"), KernelVm.NvdimmDataOffset + CacheSize);
        _hostPaths["/dev/pmem0"] = Scratch.CreateFile(scratch.ShmPath($"{prefix}-pmem0"), CacheSize);
    }

    /// <summary>The backing file of the VM's NVDIMM.</summary>
    public string NvdimmFile { get; }

    /// <summary>boot.sh's options attaching the disks in order and the NVDIMM.</summary>
    public IEnumerable<string> BootOptions => Disks.SelectMany(disk => new[] { "--disk", _hostPaths[$"/dev/{disk.Name}"] }).Concat(["--pmem", NvdimmFile]);

    /// <summary>The origin's length in 512-byte sectors, as the kernel's table line gives it.</summary>
    public static long OriginSectors => OriginSize / 512;

    /// <summary><paramref name="line"/> with each VM device name replaced by its host file; names of no device (/dev/vdz) stay.</summary>
    public string OnHost(string line) => string.Join(' ', line.Split(' ').Select(word => _hostPaths.GetValueOrDefault(word, word)));

    private static void WriteSuperblock(string path, uint magic, uint version, ulong blocks)
    {
        // The superblock's first fields: magic, version, block size, pad, n_blocks, seq_count (little-endian).
        var superblock = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(superblock, magic);
        BinaryPrimitives.WriteUInt32LittleEndian(superblock.AsSpan(4), version);
        BinaryPrimitives.WriteUInt32LittleEndian(superblock.AsSpan(8), 4096);
        BinaryPrimitives.WriteUInt64LittleEndian(superblock.AsSpan(16), blocks);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.Write(superblock);
    }
}
