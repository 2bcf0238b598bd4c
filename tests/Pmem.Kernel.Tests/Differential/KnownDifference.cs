namespace Pmem.Kernel.Tests.Differential;

/// <summary>A comparison of the differential suite that is known to differ today, with the issue item that tracks it.</summary>
/// <param name="Mode"><c>p</c> or <c>s</c>.</param>
/// <param name="Comparison">A status field name (<see cref="Checkpoint.StatusFields"/>), <c>table</c>, <c>hash (… is wrong)</c>, or a cross-open.</param>
/// <param name="IssueItem">The item of issue 14 that describes it, or null for a difference this suite found first (not yet in the issue).</param>
/// <param name="Reason">What differs and why.</param>
internal sealed record KnownDifference(string Mode, string Comparison, int? IssueItem, string Reason);
