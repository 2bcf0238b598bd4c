#!/usr/bin/env bash
# The full primitives run (about 10 minutes on 2 cores): markdown tables and JSON into bench/results/primitives/.
#   bench/Pmem.Benchmarks/run.sh                      # every suite
#   bench/Pmem.Benchmarks/run.sh --filter '*Assign*'  # BenchmarkDotNet arguments pass through
#   bench/Pmem.Benchmarks/run.sh --smoke              # each benchmark once, in process (CI)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
results=${PMEM_BENCH_RESULTS:-$repo/bench/results/primitives}

dotnet build -c Release --nologo -v quiet "$here/Pmem.Benchmarks.csproj"

# The measured jobs set it themselves; the in-process smoke run needs it from here (libpmem reads it from the
# process environment before .NET code can change it).
export PMEM_IS_PMEM_FORCE=1

# BenchmarkDotNet finds the project to generate its host from the working directory.
cd "$here"
exec dotnet "bin/Release/net10.0/Pmem.Benchmarks.dll" --artifacts "$results" "$@"
