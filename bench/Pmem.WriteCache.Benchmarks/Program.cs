using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Pmem.WriteCache.Benchmarks;

// --measure [entries]: RAM per block, recovery rate (default 16 M entries), latency ratio, without BenchmarkDotNet.
// --smoke: every benchmark once (Job.Dry), for CI. Anything else goes to BenchmarkDotNet's switcher.
if (args.Length > 0 && args[0] == "--measure")
{
    await Measurements.RunAsync(args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 16L * 1024 * 1024);
    return;
}

// --scale-phase PHASE MODE CACHE ORIGIN [DIRTY_BYTES]: one phase of the scale curve (bench/scale/run.sh).
if (args.Length > 0 && args[0] == "--scale-phase")
{
    await ScaleCurve.RunAsync(args[1..]);
    return;
}

IConfig? config = args.Contains("--smoke") ? DefaultConfig.Instance.AddJob(Job.Dry).WithOptions(ConfigOptions.DisableOptimizationsValidator) : null;
BenchmarkSwitcher.FromAssembly(typeof(WriteLatencyBenchmarks).Assembly).Run([.. args.Where(a => a != "--smoke")], config);
