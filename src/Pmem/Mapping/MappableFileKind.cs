namespace Pmem.Mapping;

/// <summary>What a path names, for <see cref="MappableFile"/>.</summary>
internal enum MappableFileKind
{
    /// <summary>It cannot be looked at (missing, no permission): opening it says why.</summary>
    Missing,

    /// <summary>A regular file.</summary>
    RegularFile,

    /// <summary>A device-DAX character device (<c>/dev/daxN.M</c>).</summary>
    DeviceDax,

    /// <summary>A block device, such as <c>/dev/pmem0</c>.</summary>
    BlockDevice,

    /// <summary>A character device that is not device DAX.</summary>
    OtherCharacterDevice,

    /// <summary>A directory, FIFO or socket.</summary>
    Other,
}
