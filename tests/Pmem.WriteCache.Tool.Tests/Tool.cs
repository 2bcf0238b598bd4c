using System.Reflection;

namespace Pmem.WriteCache.Tool.Tests;

/// <summary>The built <c>pmem-writecache</c>, run with <c>dotnet pmem-writecache.dll</c> as a child process.</summary>
internal static class Tool
{
    public static string DllPath { get; } = LocateDll();

    public static IEnumerable<string> Arguments(IEnumerable<string> toolArguments) => [DllPath, .. toolArguments];

    public static Task<ProgramResult> RunAsync(params string[] arguments) => RunAsync(arguments, null);

    public static Task<ProgramResult> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, int timeoutSeconds = 120)
        => ExternalProgram.RunAsync("dotnet", Arguments(arguments), timeoutSeconds, environment);

    /// <summary>Runs <c>status</c> against the server on <paramref name="socket"/> and returns the status line's fields.</summary>
    public static async Task<long[]> StatusAsync(string socket)
    {
        ProgramResult result = (await RunAsync("status", "--socket", socket)).Succeeded();
        string[] fields = result.StandardOutput.Trim().Split(' ');
        Assert.True(fields.Length == 17 && fields[2] == "writecache", $"not a dmsetup status line: '{result.StandardOutput}'");
        return [.. fields.Where((_, i) => i != 2).Select(long.Parse)];
    }

    private static string LocateDll()
    {
        string path = typeof(Tool).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PmemWriteCacheTool").Value!;
        Assert.True(File.Exists(path), $"the tool was not built at {path}; build tests/Pmem.WriteCache.Tool.Tests (it builds the tool).");
        return path;
    }
}
