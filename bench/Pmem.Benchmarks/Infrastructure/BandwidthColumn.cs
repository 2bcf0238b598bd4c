using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Pmem.Benchmarks.Infrastructure;

/// <summary>GB/s (10^9 bytes per second) from the mean, for benchmarks with a <see cref="CopyCase"/> parameter.</summary>
internal sealed class BandwidthColumn : IColumn
{
    public string Id => nameof(BandwidthColumn);

    public string ColumnName => "GB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Bytes copied per second, 10^9, from the mean";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        CopyCase? copy = benchmarkCase.Parameters.Items.Select(p => p.Value).OfType<CopyCase>().FirstOrDefault();
        double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return copy is null || meanNanoseconds is not > 0
            ? "-"
            : (copy.Bytes / meanNanoseconds.Value).ToString("0.00", CultureInfo.InvariantCulture);
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;
}
