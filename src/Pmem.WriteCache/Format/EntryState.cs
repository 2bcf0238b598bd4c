namespace Pmem.WriteCache.Format;

/// <summary>What an entry on the media is, by <see cref="RecoveryRules"/>.</summary>
internal enum EntryState
{
    /// <summary>seq_count all ones.</summary>
    Free,

    /// <summary>Written for the commit the superblock has not published: recovery frees it.</summary>
    Uncommitted,

    /// <summary>Committed: its block is dirty unless a newer committed entry for the sector exists.</summary>
    Committed,

    /// <summary>Metadata the kernel could never have written.</summary>
    Corrupt,
}
