#!/usr/bin/env bash
# The NBD server alone: Pmem's server over memory (bench/nbd/Pmem.Nbd.MemoryServer) at several receive-spin settings
# against nbdkit memory, in one run, rounds alternating. Per job: IOPS or commit p50 from fio, and the server's CPU per
# request (user + system time of the server process over the job, from /proc/PID/stat, divided by the requests fio
# completed) — the least noisy figure on a shared machine.
#
#   bench/nbd/server-cost.sh [--rounds N] [--spins "0 20"]
#
# Each server is warmed by one sequential pass over its 1 GiB device first, so page faults are not measured.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rounds=2
spins="0 20"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rounds) rounds=$2; shift 2 ;;
        --spins) spins=$2; shift 2 ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "server-cost.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/pmem-nbd-cost.XXXXXX")
socket="$work/nbd.sock"
server_pid=""
cleanup() { [[ -z "$server_pid" ]] || kill "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
dotnet build -c Release --nologo -v quiet -o "$work/memory-server" "$here/Pmem.Nbd.MemoryServer/Pmem.Nbd.MemoryServer.csproj" >&2

start() {
    rm -f "$socket"
    case "$1" in
        nbdkit-memory) nbdkit --foreground --unix "$socket" memory size=1G & ;;
        pmem-spin-*) dotnet "$work/memory-server/Pmem.Nbd.MemoryServer.dll" "$socket" 1024 "${1#pmem-spin-}" & ;;
    esac
    server_pid=$!
    for _ in $(seq 100); do [[ -S "$socket" ]] && return 0; sleep 0.1; done
    echo "server-cost.sh: $1 did not listen" >&2; exit 1
}

stop() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

# Clock ticks of user + system time of the server process (all threads).
cpu_ticks() { sed 's/.*) //' "/proc/$server_pid/stat" | awk '{print $12 + $13}'; }

# fio job against the running server; prints "<value> <server µs per request>".
job() {
    local kind=$1; shift
    local before after
    before=$(cpu_ticks)
    fio --name=cost --ioengine=nbd --uri="nbd+unix:///?socket=$socket" --time_based --runtime=5 \
        --output-format=json --output="$work/job.json" "$@" >/dev/null
    after=$(cpu_ticks)
    python3 - "$work/job.json" "$kind" "$((after - before))" "$(getconf CLK_TCK)" <<'PY'
import json, sys
job = json.load(open(sys.argv[1]))["jobs"][0]
kind, ticks, hz = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
requests = sum(job[d]["total_ios"] for d in ("read", "write")) + job["sync"]["total_ios"]
cpu_us = ticks / hz * 1e6 / max(requests, 1)
if kind == "commit":
    value = (job["write"]["clat_ns"]["percentile"]["50.000000"] + job["sync"]["lat_ns"]["percentile"]["50.000000"]) / 1000
else:
    value = job["read" if kind == "read" else "write"]["iops"]
print(f"{value:.1f} {cpu_us:.1f}")
PY
}

servers="nbdkit-memory"
for spin in $spins; do servers="$servers pmem-spin-$spin"; done
echo "| round | server | QD32 write IOPS | CPU/request | QD32 read IOPS | CPU/request | QD1 commit p50 µs | CPU/request |"
echo "|---|---|--:|--:|--:|--:|--:|--:|"
for round in $(seq "$rounds"); do
    for server in $servers; do
        start "$server"
        fio --name=warm --ioengine=nbd --uri="nbd+unix:///?socket=$socket" --rw=write --bs=1M --iodepth=8 --size=1G >/dev/null
        read -r w wc < <(job write --rw=randwrite --bs=4k --iodepth=32)
        read -r r rc < <(job read --rw=randread --bs=4k --iodepth=32)
        read -r c cc < <(job commit --rw=randwrite --bs=4k --iodepth=1 --fsync=1)
        stop
        printf '| %s | %s | %.0f | %s µs | %.0f | %s µs | %s | %s µs |\n' "$round" "$server" "$w" "$wc" "$r" "$rc" "$c" "$cc"
    done
done
echo
echo "fio $(fio --version | sed 's/^fio-//'), nbdkit $(nbdkit --version | awk '{print $2}'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
