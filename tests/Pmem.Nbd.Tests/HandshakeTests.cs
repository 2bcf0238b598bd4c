using System.Buffers.Binary;
using System.Text;
using Pmem.BlockDevices;
using Pmem.Nbd.Protocol;
using Pmem.Nbd.Server;

namespace Pmem.Nbd.Tests;

/// <summary>Fixed-newstyle negotiation, byte by byte.</summary>
public sealed class HandshakeTests
{
    [Fact]
    public async Task Go_sends_export_block_size_name_and_description_then_ack()
    {
        await using var host = TestServerHost.Start(o => o.Exports.Add(new NbdExport("disk", new MemoryBlockDevice(1 << 20, 4096), description: "a disk")));
        using var client = RawNbdClient.Greet(host.SocketPath);
        client.SendOption(NbdOption.Go, RawNbdClient.GoData("disk", NbdInfoType.Name, NbdInfoType.Description, NbdInfoType.BlockSize));
        var infos = new Dictionary<NbdInfoType, byte[]>();
        RawNbdClient.OptionReply reply;
        while ((reply = client.ReadOptionReply()).Type == NbdOptionReplyType.Info)
        {
            Assert.Equal(NbdOption.Go, reply.Option);
            infos[(NbdInfoType)BinaryPrimitives.ReadUInt16BigEndian(reply.Data)] = reply.Data[2..];
        }

        Assert.Equal(NbdOptionReplyType.Ack, reply.Type);
        Assert.Equal(1UL << 20, BinaryPrimitives.ReadUInt64BigEndian(infos[NbdInfoType.Export]));
        var flags = (NbdTransmissionFlags)BinaryPrimitives.ReadUInt16BigEndian(infos[NbdInfoType.Export].AsSpan(8));
        Assert.Equal(NbdTransmissionFlags.HasFlags | NbdTransmissionFlags.SendFlush | NbdTransmissionFlags.SendFua | NbdTransmissionFlags.SendTrim
            | NbdTransmissionFlags.SendWriteZeroes | NbdTransmissionFlags.CanMultiConn, flags);
        Assert.Equal(4096U, BinaryPrimitives.ReadUInt32BigEndian(infos[NbdInfoType.BlockSize]));
        Assert.Equal(4096U, BinaryPrimitives.ReadUInt32BigEndian(infos[NbdInfoType.BlockSize].AsSpan(4)));
        Assert.Equal(32U << 20, BinaryPrimitives.ReadUInt32BigEndian(infos[NbdInfoType.BlockSize].AsSpan(8)));
        Assert.Equal("disk", Encoding.UTF8.GetString(infos[NbdInfoType.Name]));
        Assert.Equal("a disk", Encoding.UTF8.GetString(infos[NbdInfoType.Description]));

        // Now in transmission: a flush is answered.
        client.SendRequest(NbdCommand.Flush, 0, 0, cookie: 42);
        var flush = client.ReadReply();
        Assert.Equal((NbdErrno.None, 42UL), (flush.Error, flush.Cookie));
    }

    [Fact]
    public async Task Info_does_not_enter_transmission_and_unknown_export_is_err_unknown()
    {
        await using var host = TestServerHost.Start();
        using var client = RawNbdClient.Greet(host.SocketPath);
        client.SendOption(NbdOption.Info, RawNbdClient.GoData("nope"));
        Assert.Equal(NbdOptionReplyType.ErrorUnknown, client.ReadOptionReply().Type);
        client.SendOption(NbdOption.Info, RawNbdClient.GoData(""));
        RawNbdClient.OptionReply reply;
        int infos = 0;
        while ((reply = client.ReadOptionReply()).Type == NbdOptionReplyType.Info)
        {
            infos++;
        }

        Assert.Equal(NbdOptionReplyType.Ack, reply.Type);
        Assert.True(infos >= 2);
        // Still negotiating: another option is answered.
        client.SendOption(NbdOption.List, []);
        Assert.Equal(NbdOptionReplyType.Server, client.ReadOptionReply().Type);
        Assert.Equal(NbdOptionReplyType.Ack, client.ReadOptionReply().Type);
    }

    [Fact]
    public async Task List_names_each_export_and_rejects_data()
    {
        await using var host = TestServerHost.Start(o =>
        {
            o.Exports.Add(new NbdExport("a", new MemoryBlockDevice(4096)));
            o.Exports.Add(new NbdExport("bb", new MemoryBlockDevice(4096), description: "second"));
        });
        using var client = RawNbdClient.Greet(host.SocketPath);
        client.SendOption(NbdOption.List, [1, 2, 3]);
        Assert.Equal(NbdOptionReplyType.ErrorInvalid, client.ReadOptionReply().Type);
        client.SendOption(NbdOption.List, []);
        var names = new List<string>();
        RawNbdClient.OptionReply reply;
        while ((reply = client.ReadOptionReply()).Type == NbdOptionReplyType.Server)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(reply.Data);
            names.Add(Encoding.UTF8.GetString(reply.Data, 4, length));
        }

        Assert.Equal(NbdOptionReplyType.Ack, reply.Type);
        Assert.Equal(["a", "bb"], names.Order());
    }

    [Fact]
    public async Task Unknown_options_get_err_unsup_and_negotiation_continues()
    {
        await using var host = TestServerHost.Start();
        using var client = RawNbdClient.Greet(host.SocketPath);
        foreach (uint option in new uint[] { 4, 5, 9, 10, 11, 99, 0xffffffff })
        {
            client.SendOption((NbdOption)option, [9, 9, 9]);
            var reply = client.ReadOptionReply();
            Assert.Equal(NbdOptionReplyType.ErrorUnsupported, reply.Type);
            Assert.Equal((NbdOption)option, reply.Option);
        }

        client.SendOption(NbdOption.Go, RawNbdClient.GoData(""));
        while (client.ReadOptionReply().Type == NbdOptionReplyType.Info)
        {
        }

        client.SendRequest(NbdCommand.Read, 0, 512, cookie: 5);
        Assert.Equal(NbdErrno.None, client.ReadReply(512).Error);
        Assert.Contains(host.Logger.Entries, e => e.Message.Contains("unsupported option 99", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Export_name_enters_transmission_with_or_without_zero_padding()
    {
        await using var host = TestServerHost.Start(size: 1 << 20);
        foreach (var flags in new[] { NbdClientFlags.FixedNewstyle, NbdClientFlags.FixedNewstyle | NbdClientFlags.NoZeroes })
        {
            using var client = RawNbdClient.Greet(host.SocketPath, flags);
            client.SendOption(NbdOption.ExportName, []);
            byte[] reply = client.Receive(10 + ((flags & NbdClientFlags.NoZeroes) != 0 ? 0 : 124));
            Assert.Equal(1UL << 20, BinaryPrimitives.ReadUInt64BigEndian(reply));
            client.SendRequest(NbdCommand.Read, 512, 512, cookie: 9);
            var read = client.ReadReply(512);
            Assert.Equal((NbdErrno.None, 9UL, false), (read.Error, read.Cookie, read.Structured));
        }
    }

    [Fact]
    public async Task Export_name_for_an_unknown_export_disconnects_and_is_logged()
    {
        await using var host = TestServerHost.Start();
        using var client = RawNbdClient.Greet(host.SocketPath);
        client.SendOption(NbdOption.ExportName, Encoding.UTF8.GetBytes("missing"));
        Assert.True(client.IsClosedByServer());
        Assert.True(host.Logger.WaitForWarning("unknown export 'missing'"));
    }

    [Fact]
    public async Task Abort_is_acknowledged_and_the_connection_closes()
    {
        await using var host = TestServerHost.Start();
        using var client = RawNbdClient.Greet(host.SocketPath);
        client.SendOption(NbdOption.Abort, []);
        Assert.Equal(NbdOptionReplyType.Ack, client.ReadOptionReply().Type);
        Assert.True(client.IsClosedByServer());
    }

    [Fact]
    public async Task Structured_reply_is_acked_once_and_rejects_data_or_repeats()
    {
        await using var host = TestServerHost.Start();
        using var client = RawNbdClient.Greet(host.SocketPath);
        client.SendOption(NbdOption.StructuredReply, [0]);
        Assert.Equal(NbdOptionReplyType.ErrorInvalid, client.ReadOptionReply().Type);
        client.SendOption(NbdOption.StructuredReply, []);
        Assert.Equal(NbdOptionReplyType.Ack, client.ReadOptionReply().Type);
        client.SendOption(NbdOption.StructuredReply, []);
        Assert.Equal(NbdOptionReplyType.ErrorInvalid, client.ReadOptionReply().Type);
    }

    [Theory]
    [InlineData(0u, 0)]    // name length 0 but no count field
    [InlineData(100u, 6)]  // name length runs past the data
    [InlineData(0u, 7)]    // odd trailing byte after the info count
    public async Task Malformed_go_data_is_err_invalid(uint nameLength, int dataLength)
    {
        await using var host = TestServerHost.Start();
        using var client = RawNbdClient.Greet(host.SocketPath);
        byte[] data = new byte[dataLength];
        if (dataLength >= 4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(data, nameLength);
        }

        client.SendOption(NbdOption.Go, data);
        Assert.Equal(NbdOptionReplyType.ErrorInvalid, client.ReadOptionReply().Type);
    }

    [Fact]
    public async Task Wrong_option_magic_disconnects_and_is_logged()
    {
        await using var host = TestServerHost.Start();
        using var client = RawNbdClient.Greet(host.SocketPath);
        client.SendOption(NbdOption.Go, RawNbdClient.GoData(""), magic: 0x1122334455667788);
        Assert.True(client.IsClosedByServer());
        Assert.True(host.Logger.WaitForWarning("is not IHAVEOPT"));
    }

    [Fact]
    public async Task Unknown_client_flags_disconnect_and_are_logged()
    {
        await using var host = TestServerHost.Start();
        using var client = RawNbdClient.Greet(host.SocketPath, (NbdClientFlags)0x81);
        Assert.True(client.IsClosedByServer());
        Assert.True(host.Logger.WaitForWarning("Client flags 0x81"));
    }

    [Fact]
    public async Task An_option_claiming_a_huge_payload_disconnects_without_reading_it()
    {
        await using var host = TestServerHost.Start();
        using var client = RawNbdClient.Greet(host.SocketPath);
        client.SendOption(NbdOption.Go, [], declaredLength: 0x7fffffff);
        Assert.True(client.IsClosedByServer());
        Assert.True(host.Logger.WaitForWarning("carries 2147483647 bytes"));
    }

    [Fact]
    public async Task Too_many_options_disconnect()
    {
        await using var host = TestServerHost.Start(configure: o => o.MaxOptionsPerConnection = 8);
        using var client = RawNbdClient.Greet(host.SocketPath);
        for (int i = 0; i < 8; i++)
        {
            client.SendOption((NbdOption)77, []);
            Assert.Equal(NbdOptionReplyType.ErrorUnsupported, client.ReadOptionReply().Type);
        }

        // The limit is reached: the server hangs up rather than wait for a ninth.
        Assert.True(client.IsClosedByServer());
        Assert.True(host.Logger.WaitForWarning("8 options"));
    }

    [Fact]
    public async Task A_client_that_never_finishes_negotiating_is_disconnected_after_the_timeout()
    {
        await using var host = TestServerHost.Start(configure: o => o.HandshakeTimeout = TimeSpan.FromMilliseconds(300));
        using var client = RawNbdClient.Greet(host.SocketPath);
        Assert.True(client.IsClosedByServer(timeoutMs: 5000));
        Assert.True(host.Logger.WaitForWarning("did not finish"));
    }

    [Fact]
    public void An_export_name_longer_than_the_nbd_limit_is_refused_naming_the_limit()
    {
        string name = new('e', 5000);
        var refused = Assert.Throws<NbdConfigurationException>(() => new NbdExport(name, new MemoryBlockDevice(4096)));
        Assert.Contains("is 5000 bytes long; NBD allows at most 4096 bytes", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_asking_for_a_name_longer_than_the_nbd_limit_gets_too_big_and_can_go_on()
    {
        await using var host = TestServerHost.Start();
        using var client = RawNbdClient.Greet(host.SocketPath);
        client.SendOption(NbdOption.Go, RawNbdClient.GoData(new string('e', 5000)));
        var reply = client.ReadOptionReply();
        Assert.Equal(NbdOptionReplyType.ErrorTooBig, reply.Type);
        Assert.Contains("NBD allows at most 4096 bytes", Encoding.UTF8.GetString(reply.Data), StringComparison.Ordinal);

        client.SendOption(NbdOption.Go, RawNbdClient.GoData(""));
        NbdOptionReplyType last;
        while ((last = client.ReadOptionReply().Type) == NbdOptionReplyType.Info)
        {
        }

        Assert.Equal(NbdOptionReplyType.Ack, last);
    }
}
