using Pmem.Testing;

namespace Pmem.WriteCache.CrashTests;

/// <summary>Counts the crash images the suite checked, per model, and reports each exploration as a diagnostic message.</summary>
internal static class ImageTally
{
    private static readonly long[] s_images = new long[Enum.GetValues<PmemModel>().Length];

    public static CrashExploration Record(CrashExploration exploration)
    {
        Interlocked.Add(ref s_images[(int)exploration.Model], exploration.ImagesChecked);
        TestContext.Current.SendDiagnosticMessage($"{TestContext.Current.Test?.TestDisplayName}: {exploration}; checked in {exploration.Elapsed.TotalSeconds:0.00} s");
        return exploration;
    }

    public static string Summary() =>
        $"Crash images checked ({(CrashBudget.IsLong ? "long" : "short")} mode): "
        + string.Join(", ", Enum.GetValues<PmemModel>().Select(model => $"{model} {Interlocked.Read(ref s_images[(int)model])}"))
        + $", total {s_images.Sum()}";
}
