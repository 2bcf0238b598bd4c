namespace Pmem.Nbd.Server;

/// <summary>What a successful server-side negotiation agreed on.</summary>
/// <param name="Export">The export the client selected.</param>
/// <param name="StructuredReplies">Reads are answered with structured reply chunks.</param>
/// <param name="AgreedBlockSizes">The client asked for <c>NBD_INFO_BLOCK_SIZE</c> with <c>NBD_OPT_GO</c> and so promised to honour it.</param>
internal sealed record NbdSession(NbdExport Export, bool StructuredReplies, bool AgreedBlockSizes);
