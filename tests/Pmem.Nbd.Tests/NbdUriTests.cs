namespace Pmem.Nbd.Tests;

/// <summary>The standard NBD URI forms.</summary>
public sealed class NbdUriTests
{
    [Theory]
    [InlineData("nbd://example.com/disk", "example.com", 10809, "disk")]
    [InlineData("nbd://example.com:1234/", "example.com", 1234, "")]
    [InlineData("nbd://example.com", "example.com", 10809, "")]
    [InlineData("nbd+tcp://127.0.0.1:5000/a%20b", "127.0.0.1", 5000, "a b")]
    [InlineData("nbd://[::1]:7000//abs", "::1", 7000, "/abs")]
    [InlineData("NBD://[::1]/x", "::1", 10809, "x")]
    public void Tcp_forms(string text, string host, int port, string export)
    {
        var uri = NbdUri.Parse(text);
        Assert.Equal((NbdUriTransport.Tcp, host, port, export, (string?)null), (uri.Transport, uri.Host, uri.Port, uri.ExportName, uri.SocketPath));
        Assert.Equal(uri.ExportName, NbdUri.Parse(uri.ToString()).ExportName);
        Assert.Equal(uri.Port, NbdUri.Parse(uri.ToString()).Port);
    }

    [Theory]
    [InlineData("nbd+unix:///disk?socket=/tmp/s.sock", "/tmp/s.sock", "disk")]
    [InlineData("nbd+unix:///?socket=/run/a%20b.sock", "/run/a b.sock", "")]
    [InlineData("nbd+unix://?socket=rel.sock", "rel.sock", "")]
    public void Unix_forms(string text, string socket, string export)
    {
        var uri = NbdUri.Parse(text);
        Assert.Equal((NbdUriTransport.UnixSocket, socket, export), (uri.Transport, uri.SocketPath, uri.ExportName));
        var again = NbdUri.Parse(uri.ToString());
        Assert.Equal((socket, export), (again.SocketPath, again.ExportName));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("/tmp/disk.img", "not an NBD URI")]
    [InlineData("http://x/y", "scheme 'http'")]
    [InlineData("nbds://x/y", "TLS")]
    [InlineData("nbd+vsock:///x", "vsock")]
    [InlineData("nbd+unix:///x", "no socket path")]
    [InlineData("nbd+unix://host/x?socket=/s", "names a host")]
    [InlineData("nbd:///x", "no host")]
    [InlineData("nbd://h:0/x", "port '0'")]
    [InlineData("nbd://h:99999/x", "port '99999'")]
    [InlineData("nbd://h:abc/x", "port 'abc'")]
    [InlineData("nbd://[::1/x", "closing ']'")]
    [InlineData("nbd://user@h/x", "TLS")]
    [InlineData("nbd://h/x?socket=/s", "'socket'")]
    [InlineData("nbd+unix:///x?socket=/s&tls=on", "'tls'")]
    [InlineData("nbd://h/x#frag", "fragment")]
    public void Bad_uris_say_what_is_wrong(string text, string expected)
    {
        Assert.False(NbdUri.TryParse(text, out _, out string? error));
        Assert.Contains(expected, error, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<FormatException>(() => NbdUri.Parse(text));
    }
}
