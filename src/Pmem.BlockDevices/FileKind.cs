namespace Pmem.BlockDevices;

/// <summary>The type of a file system entry, from its <c>st_mode</c>.</summary>
public enum FileKind
{
    /// <summary>None of the types below.</summary>
    Unknown,

    /// <summary>A regular file.</summary>
    RegularFile,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A block device node.</summary>
    BlockDevice,

    /// <summary>A character device node (<c>/dev/null</c>, a terminal, a devdax device).</summary>
    CharacterDevice,

    /// <summary>A FIFO (named pipe).</summary>
    Fifo,

    /// <summary>A Unix domain socket.</summary>
    Socket,

    /// <summary>A symbolic link (only when links are not followed).</summary>
    SymbolicLink,
}
