using System.CommandLine;

namespace Pmem.WriteCache.Tool;

/// <summary>
/// <c>pmem-writecache message &lt;flush|flush_on_suspend|cleaner|clear_stats&gt;</c>: <c>dmsetup message</c> for the
/// running cache. <c>flush</c> shows writeback progress until done; <c>cleaner --wait</c> too.
/// </summary>
internal static class MessageCommand
{
    public static Command Create()
    {
        var sockets = new ControlSocketOptions();
        var words = new Argument<string[]>("message")
        {
            Description = "flush (write everything back and wait), flush_on_suspend (write everything back at shutdown), "
                + "cleaner (stop caching new writes and write everything back), clear_stats (zero the counters).",
            Arity = ArgumentArity.OneOrMore,
        };
        var wait = new Option<bool>("--wait") { Description = "After 'cleaner', show progress until everything is written back." };
        var timeout = new Option<int>("--timeout") { Description = "Give up waiting after this many seconds.", DefaultValueFactory = _ => 3600 };
        var command = new Command("message", "Send a dm-writecache message to the running cache.");
        sockets.AddTo(command);
        command.Arguments.Add(words);
        command.Options.Add(wait);
        command.Options.Add(timeout);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            CommandLineErrors.RefuseOptions(parse.GetValue(words)!, command);
            string path = sockets.Resolve(parse);
            string message = string.Join(' ', parse.GetValue(words)!);
            await using ControlClient client = await ControlClient.ConnectAsync(path, cancellationToken);
            bool isFlush = message.Trim().Equals("flush", StringComparison.OrdinalIgnoreCase);
            bool follow = isFlush || (parse.GetValue(wait) && message.Trim().Equals("cleaner", StringComparison.OrdinalIgnoreCase));
            if (!follow)
            {
                await client.RequestAsync($"message {message}", cancellationToken);
                return ToolExitCode.Success;
            }

            // Progress comes from a second connection while the first waits for the message to finish.
            await using ControlClient poller = await ControlClient.ConnectAsync(path, cancellationToken);
            WriteCacheStatus before = await poller.GetStatusAsync(cancellationToken);
            Task<string> sent = client.RequestAsync($"message {message}", cancellationToken);
            bool clean = await new WritebackProgress().RunAsync(before, () => poller.GetStatusAsync(cancellationToken), isFlush ? sent : null, TimeSpan.FromSeconds(parse.GetValue(timeout)));
            await sent;
            if (!clean)
            {
                throw new ToolException($"the cache still had dirty blocks after {parse.GetValue(timeout)} s.");
            }

            return ToolExitCode.Success;
        }));
        return command;
    }
}
