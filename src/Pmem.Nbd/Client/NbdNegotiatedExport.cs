using Pmem.Nbd.Protocol;

namespace Pmem.Nbd.Client;

/// <summary>What the client learned about the export during negotiation.</summary>
/// <param name="Size">Export size in bytes.</param>
/// <param name="Flags">Transmission flags.</param>
/// <param name="MinimumBlockSize">Minimum block size (1 when the server did not say).</param>
/// <param name="PreferredBlockSize">Preferred block size (4096 when the server did not say).</param>
/// <param name="MaxPayloadSize">Maximum payload (32 MiB when the server did not say).</param>
internal sealed record NbdNegotiatedExport(long Size, NbdTransmissionFlags Flags, int MinimumBlockSize, int PreferredBlockSize, uint MaxPayloadSize);
