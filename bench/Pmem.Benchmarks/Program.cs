using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Pmem;
using Pmem.Benchmarks.Infrastructure;

// Usage: Pmem.Benchmarks [--smoke] [BenchmarkDotNet arguments, e.g. --filter '*Copy*' --artifacts DIR]
// With no filter every suite runs. --smoke: each benchmark once, in process (CI); export PMEM_IS_PMEM_FORCE=1.
BenchmarkMode.IsSmoke = args.Contains(BenchmarkMode.SmokeSwitch);
string[] benchmarkArgs = [.. args.Where(a => a != BenchmarkMode.SmokeSwitch)];
if (!benchmarkArgs.Any(a => a is "--filter" or "-f" or "--list" or "--info" or "--help" or "-h"))
{
    benchmarkArgs = [.. benchmarkArgs, "--filter", "*"];
}

Console.WriteLine($"Pmem CPU: {PmemCpu.Describe()}");

// No job here: every suite names its own ([Config] attributes), see StandardJobs. Exporters: the markdown tables
// docs/performance.md quotes, the JSON bench/plot.py reads, CSV for anything else (no HTML copies of the same).
IConfig config = ManualConfig.CreateMinimumViable()
    .AddAnalyser([.. DefaultConfig.Instance.GetAnalysers()])
    .AddValidator([.. DefaultConfig.Instance.GetValidators()])
    .AddColumn(new BandwidthColumn())
    .AddExporter(MarkdownExporter.GitHub, JsonExporter.Full, CsvExporter.Default);

Summary[] summaries = [.. BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(benchmarkArgs, config)];
bool failed = summaries.Length == 0
    || summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Length == 0 || s.Reports.Any(r => !r.Success));
return failed ? 1 : 0;
