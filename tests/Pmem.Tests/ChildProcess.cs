using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Pmem.Tests;

/// <summary>
/// Runs this test executable again with other environment variables, to observe choices the runtime makes once per
/// process. The child only prints <see cref="PmemCpu.Describe"/> and exits (see <see cref="DescribeAndExitIfAsked"/>).
/// </summary>
internal static class ChildProcess
{
    private const string DescribeVariable = "PMEM_TESTS_DESCRIBE_AND_EXIT";

    public static string RunDescribe(string environment)
    {
        string self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        start.Environment[DescribeVariable] = "1";
        foreach (string assignment in environment.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] pair = assignment.Split('=', 2);
            start.Environment[pair[0]] = pair[1];
        }

        using Process child = Process.Start(start)!;
        string output = child.StandardOutput.ReadToEnd() + child.StandardError.ReadToEnd();
        Assert.True(child.WaitForExit(60_000), "the child process did not exit");
        Assert.Equal(0, child.ExitCode);
        return output;
    }

#pragma warning disable CA2255 // A module initializer is the one hook that runs before the test framework's Main.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void DescribeAndExitIfAsked()
    {
        if (Environment.GetEnvironmentVariable(DescribeVariable) == "1")
        {
            Console.WriteLine(PmemCpu.Describe());
            Environment.Exit(0);
        }
    }
}
