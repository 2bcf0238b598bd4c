namespace Pmem;

/// <summary>
/// Declares that a method writes persistent memory and leaves the <c>PmemCommit</c> (and, when it does not
/// flush, the <c>PmemFlush</c>) to its caller. The analyzer then does not report PMEM002 inside the method,
/// and counts each call to it as a write in the caller.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor, AllowMultiple = false, Inherited = false)]
public sealed class PmemCallerCommitsAttribute : Attribute;
