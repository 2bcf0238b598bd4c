#!/usr/bin/env bash
# Runs every test of the repository and ends with one line of totals: "N passed, N failed" (skips on the line before).
#   1. builds the solution (Release);
#   2. runs each xunit test project (tests/*/*.Tests.csproj and other test executables);
#   3. publishes tests/Pmem.Tests for linux-arm64 and runs it under qemu-aarch64, so the ARM64 sequence executes;
#   4. runs every benchmark project in its short smoke mode (bench/run-smoke.sh), counted as one test each.
# Needs the Debian packages .ci/run installs. Set PMEM_TEST_FILTER=Name to run only projects whose name contains it.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
passed=0 failed=0 skipped=0
logs=artifacts/test-logs
mkdir -p "$logs"

# Adds the counts of one xunit v3 summary line ("Total: 39, Errors: 0, Failed: 1, Skipped: 2, Not Run: 0") to the totals.
count() {
    local name=$1 log=$2 status=$3 line total errors fails skips notrun
    line=$(grep -aE 'Total: [0-9]+, Errors: [0-9]+, Failed: [0-9]+, Skipped: [0-9]+' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        echo "!! $name: no test summary (exit $status); see $log"
        tail -n 40 "$log"
        failed=$((failed + 1))
        return
    fi
    total=$(sed -E 's/.*Total: ([0-9]+).*/\1/' <<<"$line")
    errors=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$line")
    fails=$(sed -E 's/.*Failed: ([0-9]+).*/\1/' <<<"$line")
    skips=$(sed -E 's/.*Skipped: ([0-9]+).*/\1/' <<<"$line")
    notrun=$(sed -E 's/.*Not Run: ([0-9]+).*/\1/' <<<"$line")
    passed=$((passed + total - fails - skips - notrun))
    failed=$((failed + fails + errors))
    skipped=$((skipped + skips + notrun))
    if [ "$fails" -ne 0 ] || [ "$errors" -ne 0 ] || [ "$status" -ne 0 ]; then
        [ "$fails" -eq 0 ] && [ "$errors" -eq 0 ] && failed=$((failed + 1))
        echo "!! $name failed (exit $status); failures:"
        grep -aE '\[FAIL\]' -A 12 "$log" | head -n 120
    fi
    echo "== $name: $line"
    # Every skipped test is listed with the reason it gave, so no skip goes unexplained in the output.
    awk '/ \[SKIP\]$/ { name = $0; sub(/^ +/, "", name); sub(/ \[SKIP\]$/, "", name); next } name { sub(/^ +/, ""); print "   skipped " name ": " $0; name = "" }' "$log"
}

echo "== building (Release)"
if ! dotnet build Pmem.sln -c Release -nologo -v q > "$logs/build.log" 2>&1; then
    grep -E 'error' "$logs/build.log" | sort -u | head -n 40
    echo "0 passed, 1 failed"
    exit 1
fi

for project in tests/*/*.csproj; do
    name=$(basename "$project" .csproj)
    [ -n "${PMEM_TEST_FILTER:-}" ] && [[ $name != *"$PMEM_TEST_FILTER"* ]] && continue
    grep -q '<OutputType>Exe</OutputType>' "$project" && grep -q 'Include="xunit.v3"' "$project" || continue
    echo "== $name"
    timeout 1200 dotnet run --project "$project" -c Release --no-build -- -noColor > "$logs/$name.log" 2>&1
    count "$name" "$logs/$name.log" $?
done

if [ -z "${PMEM_TEST_FILTER:-}" ] || [[ arm64 == *"$PMEM_TEST_FILTER"* ]]; then
    echo "== Pmem.Tests on linux-arm64 under qemu-aarch64"
    arm=artifacts/arm64/Pmem.Tests
    if dotnet publish tests/Pmem.Tests/Pmem.Tests.csproj -c Release -r linux-arm64 --self-contained -o "$arm" -nologo -v q > "$logs/arm64-publish.log" 2>&1; then
        # .NET double-maps JIT code for W^X; qemu-user does not see writes through the alias and may run stale
        # code (seen as SIGILL in JIT stubs), so the emulated run turns W^X off.
        DOTNET_EnableWriteXorExecute=0 PMEM_TESTS_UNDER_QEMU=1 timeout 1200 qemu-aarch64-static -L /usr/aarch64-linux-gnu "$arm/Pmem.Tests" -noColor > "$logs/Pmem.Tests.arm64.log" 2>&1
        count "Pmem.Tests (arm64, qemu)" "$logs/Pmem.Tests.arm64.log" $?
    else
        tail -n 30 "$logs/arm64-publish.log"
        echo "!! linux-arm64 publish failed"
        failed=$((failed + 1))
    fi
fi

if [ -z "${PMEM_TEST_FILTER:-}" ] && [ -x bench/run-smoke.sh ]; then
    echo "== benchmark smoke runs"
    if bench/run-smoke.sh > "$logs/bench-smoke.log" 2>&1; then
        passed=$((passed + 1))
        echo "== benchmarks: smoke runs passed"
    else
        tail -n 40 "$logs/bench-smoke.log"
        echo "!! benchmark smoke runs failed"
        failed=$((failed + 1))
    fi
fi

echo "$skipped skipped (each listed above with its reason)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
