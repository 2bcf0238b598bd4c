namespace Pmem;

/// <summary>
/// Marks a field or ref-returning member whose assignment makes earlier persistent writes visible to recovery
/// (for example dm-writecache's superblock <c>seq_count</c>). The analyzer (PMEM005) reports a
/// <c>PmemAssign</c> to it while an earlier write may still be unflushed or uncommitted.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property | AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class PmemPublishAttribute : Attribute;
