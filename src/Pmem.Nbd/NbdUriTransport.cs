namespace Pmem.Nbd;

/// <summary>How an <see cref="NbdUri"/> reaches its server.</summary>
public enum NbdUriTransport
{
    /// <summary>TCP: <c>nbd://host[:port]/export</c>.</summary>
    Tcp,

    /// <summary>A Unix socket: <c>nbd+unix:///export?socket=path</c>.</summary>
    UnixSocket,
}
