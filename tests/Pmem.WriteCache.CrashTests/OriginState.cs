namespace Pmem.WriteCache.CrashTests;

/// <summary>
/// The origin's contents at one moment, acknowledged by <see cref="CrashOrigin"/> whenever they change, so a crash
/// point knows what the origin held when the power failed.
/// </summary>
/// <param name="Number">1-based, in order of change.</param>
/// <param name="Durable">What survives a power failure: the writes made durable by a FUA or a later flush. Never mutated.</param>
/// <param name="Written">Every write that completed, flushed or not: what a kind power failure could leave. Never mutated.</param>
internal sealed record OriginState(int Number, byte[] Durable, byte[] Written)
{
    public override string ToString() => $"origin state {Number}";
}
