namespace Pmem.Package.Tests;

/// <summary>
/// Packs src/Pmem once per test run (with a version of its own, so no cached package is reused) into a feed that the
/// consumer projects restore from.
/// </summary>
public sealed class PackedPackage : IAsyncLifetime
{
    public PackedPackage()
    {
        Root = Path.Combine(Path.GetTempPath(), "pmem-package-" + Guid.NewGuid().ToString("N")[..10]);
        Feed = Path.Combine(Root, "feed");
        Packages = Path.Combine(Root, "packages");
        Version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        Directory.CreateDirectory(Feed);
        Nupkg = Path.Combine(Feed, $"Pmem.{Version}.nupkg");
    }

    private static readonly Dictionary<string, string> Quiet = new() { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" };

    public static string RepoRoot { get; } = FindRepoRoot();

    public string Root { get; }

    public string Feed { get; }

    /// <summary>A NuGet global packages folder of the test's own, so the packed package never lands in the user's cache.</summary>
    public string Packages { get; }

    public string Version { get; }

    public string Nupkg { get; }

    /// <summary>The SARIF log (version 2.1) the consumer projects write their diagnostics to.</summary>
    public const string DiagnosticsLog = "diagnostics.sarif";

    private static string ConsumerFiles { get; } = Path.Combine(AppContext.BaseDirectory, "Consumer");

    /// <summary>Where the programs of the corpus are, one file each (copied from tests/Pmem.Package.Tests/Corpus).</summary>
    public static string CorpusFiles { get; } = Path.Combine(AppContext.BaseDirectory, "Corpus");

    /// <summary>Writes a consumer program that references only the packed package into a new directory.</summary>
    public string WriteConsumer(string name)
    {
        string directory = WriteProject(name, "Consumer.csproj.template");
        File.Copy(Path.Combine(ConsumerFiles, "Program.cs"), Path.Combine(directory, "Program.cs"));
        return directory;
    }

    /// <summary>Writes the corpus as one library that references only the packed package into a new directory.</summary>
    public string WriteCorpusConsumer(string name)
    {
        string directory = WriteProject(name, "Corpus.csproj.template");
        File.Copy(Path.Combine(ConsumerFiles, "Corpus.globalconfig"), Path.Combine(directory, "Corpus.globalconfig"));
        foreach (string program in Directory.GetFiles(CorpusFiles, "*.cs"))
        {
            File.Copy(program, Path.Combine(directory, Path.GetFileName(program)));
        }

        return directory;
    }

    private string WriteProject(string name, string template)
    {
        string directory = Path.Combine(Root, name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), File.ReadAllText(Path.Combine(ConsumerFiles, template))
            .Replace("$FEED$", Feed, StringComparison.Ordinal)
            .Replace("$PACKAGES$", Packages, StringComparison.Ordinal)
            .Replace("$VERSION$", Version, StringComparison.Ordinal));

        // Keep the consumer out of any Directory.Build.props of the machine's temp directory.
        File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(directory, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(directory, "Directory.Packages.props"), "<Project />");
        return directory;
    }

    /// <summary>Runs the .NET CLI (bounded to ten minutes) and returns its output; fails the test if it fails.</summary>
    public static async Task<string> DotnetAsync(string workingDirectory, params string[] arguments) =>
        (await ExternalProgram.RunAsync("dotnet", arguments, timeoutSeconds: 600, Quiet, workingDirectory)).Succeeded().All();

    public ValueTask InitializeAsync() =>
        new(DotnetAsync(RepoRoot, "pack", Path.Combine(RepoRoot, "src", "Pmem", "Pmem.csproj"), "-c", "Release", "-o", Feed, "-p:Version=" + Version, "-nologo"));

    public ValueTask DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return ValueTask.CompletedTask;
    }

    private static string FindRepoRoot()
    {
        for (string? directory = AppContext.BaseDirectory; directory != null; directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "Pmem.sln")))
            {
                return directory;
            }
        }

        throw new InvalidOperationException("Pmem.sln not found above " + AppContext.BaseDirectory);
    }
}
