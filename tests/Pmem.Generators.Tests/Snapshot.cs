namespace Pmem.Generators.Tests;

/// <summary>Compares generated text with a checked-in snapshot file, or rewrites it when PMEM_UPDATE_SNAPSHOTS=1.</summary>
internal static class Snapshot
{
    public static void Match(string name, string actual)
    {
        string file = $"{name}.g.cs";
        if (Environment.GetEnvironmentVariable("PMEM_UPDATE_SNAPSHOTS") == "1")
        {
            string source = Path.Combine(FindProjectDirectory(), "Snapshots", file);
            File.WriteAllText(source, actual);
            return;
        }

        string expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Snapshots", file));
        Assert.Equal(expected.ReplaceLineEndings("\n"), actual.ReplaceLineEndings("\n"));
    }

    private static string FindProjectDirectory()
    {
        for (string? directory = AppContext.BaseDirectory; directory != null; directory = Path.GetDirectoryName(directory))
        {
            if (File.Exists(Path.Combine(directory, "Pmem.Generators.Tests.csproj")))
            {
                return directory;
            }
        }

        throw new InvalidOperationException("test project directory not found");
    }
}
