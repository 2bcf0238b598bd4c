namespace Pmem.Mapping;

/// <summary>Whether the platform's CPU caches are in the persistence domain (eADR), as the kernel reports it.</summary>
internal static class PlatformPersistence
{
    private static readonly Lazy<bool> s_persistentCaches = new(Read);

    /// <summary>
    /// True when every NVDIMM region reports <c>persistence_domain</c> = <c>cpu_cache</c> (the test PMDK makes).
    /// A conservative answer for machines with several kinds of region: all must agree.
    /// </summary>
    public static bool HasPersistentCaches() => s_persistentCaches.Value;

    private static bool Read()
    {
        const string Regions = "/sys/bus/nd/devices";
        if (!Directory.Exists(Regions))
        {
            return false;
        }

        string[] domains = Directory.GetDirectories(Regions, "region*")
            .Select(region => Path.Combine(region, "persistence_domain"))
            .Where(File.Exists)
            .Select(file => File.ReadAllText(file).Trim())
            .ToArray();
        return domains.Length > 0 && domains.All(domain => domain == "cpu_cache");
    }
}
