namespace Pmem.WriteCache.Tool.Tests;

/// <summary>Runs programs as another local user with <c>setpriv</c>: <c>nobody</c> as the attacker, or a fresh uid as a victim with no files yet.</summary>
internal static class OtherUser
{
    public const uint NobodyId = 65534;

    public static IReadOnlyList<string> Nobody { get; } = As(NobodyId);

    /// <summary>The <c>setpriv</c> options that run a program as <paramref name="uid"/> (group the same number, no supplementary groups).</summary>
    public static IReadOnlyList<string> As(uint uid) => [$"--reuid={uid}", $"--regid={uid}", "--clear-groups"];

    /// <summary>A uid no account uses, so the tool's per-user names (pmem-writecache-UID) are this test's alone.</summary>
    public static uint FreshId() => (uint)Random.Shared.Next(200_000, 2_000_000);

    /// <summary>Runs <paramref name="program"/> as the user of <paramref name="asUser"/> and fails the test unless it exits 0.</summary>
    public static async Task RunAsync(IReadOnlyList<string> asUser, string program, params string[] arguments)
        => (await ExternalProgram.RunAsync("setpriv", [.. asUser, program, .. arguments])).Succeeded();

    /// <summary>Runs the tool as the user of <paramref name="asUser"/>.</summary>
    public static Task<ProgramResult> RunToolAsync(IReadOnlyList<string> asUser, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
        => ExternalProgram.RunAsync("setpriv", [.. asUser, ExternalProgram.Require("dotnet"), .. Tool.Arguments(arguments)], 120, environment);

    /// <summary>Gives <paramref name="path"/> to <paramref name="uid"/>.</summary>
    public static Task ChownAsync(string path, uint uid) => ExternalProgram.RunCheckedAsync("chown", $"{uid}:{uid}", path);
}
