#!/usr/bin/env bash
# CI smoke run of every benchmark: each BenchmarkDotNet project once in process (so they keep building and
# running), then the NBD script in --quick mode against nbdkit memory (and pmem-writecache when it exists).
# Exits non-zero on the first failure. Under 2 minutes on 2 cores. Results go to a temporary folder, never over
# the committed ones. Needs: .NET 10 SDK, libpmem1, fio, nbdkit, qemu-utils.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/pmem-bench-smoke.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# libpmem reads it from the process environment; the in-process smoke jobs cannot set it themselves.
export PMEM_IS_PMEM_FORCE=1

for project in "$here"/*/*.csproj; do
    name=$(basename "$project" .csproj)
    echo "== $name"
    dotnet build -c Release --nologo -v quiet "$project"
    # Projects that know --smoke pick their own dry settings; any other BenchmarkDotNet project gets the
    # generic equivalent: every benchmark once, in process. The explicit filter keeps BenchmarkDotNet's switcher
    # from asking which benchmark to run (CI has no standard input).
    if grep -rqs -- '--smoke' "$(dirname "$project")" --include='*.cs'; then
        smoke_args=(--smoke --filter '*')
    else
        smoke_args=(--filter '*' --job Dry --inProcess)
    fi
    (cd "$(dirname "$project")" && dotnet "bin/Release/net10.0/$name.dll" "${smoke_args[@]}" \
        --artifacts "$scratch/$name" > "$scratch/$name.log" 2>&1) \
        || { tail -n 40 "$scratch/$name.log"; echo "FAILED: $name" >&2; exit 1; }
    grep -E '^\| ' "$scratch/$name.log" | head -n 5 || true
done

echo "== bench/nbd/run.sh --quick"
"$here/nbd/run.sh" --quick --results "$scratch/nbd" --servers "nbdkit-memory pmem-nbd-memory pmem-writecache"
echo "smoke: every benchmark ran"
