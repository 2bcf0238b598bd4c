using System.Text.Json;

namespace Pmem.Package.Tests;

/// <summary>The Pmem analyzer's findings in the SARIF 2.1 log a build writes (the <c>ErrorLog</c> property).</summary>
public sealed class SarifLog
{
    private SarifLog(IReadOnlyList<ReportedDiagnostic> diagnostics, IReadOnlyDictionary<string, string> helpLinks)
    {
        Diagnostics = diagnostics;
        HelpLinks = helpLinks;
    }

    /// <summary>Every PMEM diagnostic of the build: the file name (no directory), the rule and the 1-based line.</summary>
    public IReadOnlyList<ReportedDiagnostic> Diagnostics { get; }

    /// <summary>The help link of each PMEM rule the build reported.</summary>
    public IReadOnlyDictionary<string, string> HelpLinks { get; }

    public static SarifLog Read(string path)
    {
        using JsonDocument log = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement run = log.RootElement.GetProperty("runs")[0];
        var diagnostics = new List<ReportedDiagnostic>();
        foreach (JsonElement result in run.GetProperty("results").EnumerateArray())
        {
            string rule = result.GetProperty("ruleId").GetString()!;
            if (!IsPmem(rule))
            {
                continue;
            }

            JsonElement location = result.GetProperty("locations")[0].GetProperty("physicalLocation");
            string file = Path.GetFileName(new Uri(location.GetProperty("artifactLocation").GetProperty("uri").GetString()!).LocalPath);
            diagnostics.Add(new ReportedDiagnostic(file, rule, location.GetProperty("region").GetProperty("startLine").GetInt32()));
        }

        var helpLinks = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonElement rule in run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray())
        {
            string id = rule.GetProperty("id").GetString()!;
            if (IsPmem(id))
            {
                helpLinks[id] = rule.TryGetProperty("helpUri", out JsonElement helpUri) ? helpUri.GetString()! : string.Empty;
            }
        }

        return new SarifLog(diagnostics, helpLinks);
    }

    private static bool IsPmem(string rule) => rule.StartsWith("PMEM", StringComparison.Ordinal);
}
