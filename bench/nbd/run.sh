#!/usr/bin/env bash
# NBD servers side by side, measured by fio's nbd engine over Unix sockets, one server at a time, all started
# and stopped here. Writes raw fio JSON and results.md (ratios against nbdkit memory) to the results folder.
#
#   bench/nbd/run.sh [--quick] [--results DIR] [--servers "nbdkit-memory qemu-nbd-writeback ..."] [--table-args ARGS]
#
# --table-args: the optional arguments of the pmem-writecache table, count first (default "0", none), e.g.
# "4 high_watermark 99 low_watermark 98" to keep writeback from starting during the tests.
# --quick: 1 s per test on a 256 MiB device (smoke); full: 10 s per test on 1 GiB.
# Needs: fio (with the nbd engine), nbdkit, qemu-utils (qemu-nbd); pmem-writecache is measured when
# src/Pmem.WriteCache.Tool exists (built here) or PMEM_WRITECACHE names an executable. pmem-nbd-memory is Pmem's
# NBD server over a MemoryBlockDevice (bench/nbd/Pmem.Nbd.MemoryServer): the server's share of the cost.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
runtime=10
ramp=1
size_mib=1024
table_args="0"
results="$repo/bench/results/nbd"
servers="nbdkit-memory pmem-nbd-memory nbdkit-file nbdkit-file-cache qemu-nbd-writeback qemu-nbd-none pmem-writecache pmem-writecache-whole origin-fdatasync"

while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) runtime=1; ramp=0; size_mib=256; shift ;;
        --results) results=$2; shift 2 ;;
        --servers) servers=$2; shift 2 ;;
        --table-args) table_args=$2; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

for tool in fio nbdkit qemu-nbd; do
    command -v "$tool" >/dev/null || { echo "run.sh: '$tool' is missing (apt-get install fio nbdkit qemu-utils)" >&2; exit 1; }
done

# The origin lives on the ordinary filesystem (a disk-backed file, as a cached device's origin would be); the
# pmem cache on /dev/shm (emulated pmem). The sockets in a private temporary directory.
work=$(mktemp -d "${TMPDIR:-/tmp}/pmem-nbd-bench.XXXXXX")
cache_file=$(mktemp /dev/shm/pmem-nbd-cache.XXXXXX)
origin="$work/origin.img"
socket="$work/nbd.sock"
server_pid=""

stop_server() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
    rm -f "$socket"
}

cleanup() {
    stop_server
    rm -rf "$work" "$cache_file"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$results/json"
rm -f "$results"/json/*.json

# A fresh, fully allocated origin for every server, so none inherits another's written blocks.
fresh_origin() {
    rm -f "$origin"
    fallocate -l "${size_mib}M" "$origin"
}

# Builds a .NET project into $work/<name> and prints the command that runs it, or BUILD-FAILED: a Pmem server that
# is in the checkout but does not build fails the run, so CI sees it.
dotnet_command() {
    local project=$1 name=$2 assembly=$3
    if ! dotnet build -c Release --nologo -v quiet -o "$work/$name" "$project" >&2; then
        echo "run.sh: $project does not build (errors above)" >&2
        echo "BUILD-FAILED"
        return
    fi
    echo "dotnet $work/$name/$assembly.dll"
}

# The pmem-writecache command (PMEM_WRITECACHE overrides), or nothing when the tool is not in this checkout.
pmem_writecache_command() {
    if [[ -n "${PMEM_WRITECACHE:-}" ]]; then
        echo "$PMEM_WRITECACHE"
    elif [[ -d "$repo/src/Pmem.WriteCache.Tool" ]]; then
        dotnet_command "$repo/src/Pmem.WriteCache.Tool" tool pmem-writecache
    fi
}

# Starts one server on $socket in the foreground of a background job; returns non-zero if it is not available.
start_server() {
    local name=$1
    fresh_origin
    case "$name" in
        nbdkit-memory)      nbdkit --foreground --unix "$socket" memory "size=${size_mib}M" & ;;
        pmem-nbd-memory)
            local memory_server
            memory_server=$(dotnet_command "$here/Pmem.Nbd.MemoryServer/Pmem.Nbd.MemoryServer.csproj" memory-server Pmem.Nbd.MemoryServer)
            [[ "$memory_server" != BUILD-FAILED ]] || exit 1
            $memory_server "$socket" "$size_mib" & ;;
        nbdkit-file)        nbdkit --foreground --unix "$socket" file "file=$origin" & ;;
        nbdkit-file-cache)  nbdkit --foreground --unix "$socket" --filter=cache file "file=$origin" cache=writeback & ;;
        qemu-nbd-writeback) qemu-nbd --persistent --socket="$socket" --format=raw --cache=writeback "$origin" & ;;
        qemu-nbd-none)      qemu-nbd --persistent --socket="$socket" --format=raw --cache=none --aio=native "$origin" & ;;
        pmem-writecache|pmem-writecache-whole)
            local command
            command=$(pmem_writecache_command)
            [[ "$command" != BUILD-FAILED ]] || exit 1
            if [[ -z "$command" ]]; then
                echo "  pmem-writecache: not built in this checkout (no src/Pmem.WriteCache.Tool, PMEM_WRITECACHE unset): skipped" >&2
                return 1
            fi
            # pmem-writecache: a cache a quarter of the device, so the tests overrun it and writeback to the origin
            # (and the origin's flushes) set the pace once it is full; pmem-writecache-whole: a cache with room for
            # every block of the device and its metadata (16 bytes per block, 1/256; 1/32 added, so even a full
            # device stays under a 99 % high watermark) and never has to make room; writeback still runs from the
            # high watermark on (50 % by default, see --table-args). A fresh, zeroed cache file either way.
            : > "$cache_file"
            if [[ $name == pmem-writecache-whole ]]; then
                truncate -s "$((size_mib + size_mib / 32))M" "$cache_file"
            else
                truncate -s "$((size_mib / 4))M" "$cache_file"
            fi
            # dm-writecache table: pmem mode, origin, cache, 4 KiB blocks, the optional arguments (none by default).
            # shellcheck disable=SC2086 # the optional arguments are separate words of the table
            $command serve p "$origin" "$cache_file" 4096 $table_args --socket "$socket" & ;;
        *) echo "run.sh: unknown server '$name'" >&2; return 1 ;;
    esac
    server_pid=$!
    for _ in $(seq 100); do
        [[ -S "$socket" ]] && return 0
        kill -0 "$server_pid" 2>/dev/null || { echo "  $name exited before listening" >&2; server_pid=""; return 1; }
        sleep 0.1
    done
    echo "  $name did not listen on $socket within 10 s" >&2
    return 1
}

# fio options every test shares: bounded time, JSON with the percentiles the summary and the CDF plot read.
common=(--time_based --runtime="$runtime" --ramp_time="$ramp" --output-format=json
        --percentile_list=1:5:10:20:30:40:50:60:70:80:90:95:99:99.5:99.9)

# One fio test against the server on $socket.
nbd_test() {
    local server=$1 test=$2; shift 2
    echo "  $test" >&2
    fio --name="$test" --ioengine=nbd --uri="nbd+unix:///?socket=$socket" "${common[@]}" \
        --output="$results/json/$server--$test.json" "$@" >/dev/null
}

# The tests of issue 9, in an order that writes the device before it is read.
measure_server() {
    local server=$1
    nbd_test "$server" seqwrite-1m   --rw=write     --bs=1M --iodepth=8
    nbd_test "$server" qd1-flush     --rw=randwrite --bs=4k --iodepth=1 --fsync=1
    nbd_test "$server" qd32-write    --rw=randwrite --bs=4k --iodepth=32
    nbd_test "$server" qd32-read     --rw=randread  --bs=4k --iodepth=32
}

# The no-cache baseline: the origin file itself, fdatasync after every 4 KiB write. The file is written through
# first: on a merely fallocated file every first write converts an unwritten extent, so each fdatasync also commits
# the ext4 journal (measured: 480-890 us p50 against 270-480 us once written), a cost a database overwriting its
# own data file does not pay and that would flatter the cache.
measure_origin_fdatasync() {
    rm -f "$origin"
    dd if=/dev/zero of="$origin" bs=1M count="$size_mib" conv=fsync status=none
    echo "origin-fdatasync" >&2
    echo "  qd1-flush" >&2
    fio --name=qd1-flush --ioengine=psync --filename="$origin" --size="${size_mib}M" \
        --rw=randwrite --bs=4k --fdatasync=1 "${common[@]}" \
        --output="$results/json/origin-fdatasync--qd1-flush.json" >/dev/null
}

for server in $servers; do
    if [[ "$server" == origin-fdatasync ]]; then
        measure_origin_fdatasync
        continue
    fi
    echo "$server" >&2
    if start_server "$server"; then
        measure_server "$server"
    fi
    stop_server
done

{
    echo "fio $(fio --version | sed 's/^fio-//'), nbdkit $(nbdkit --version | awk '{print $2}'), $(qemu-nbd --version | head -n1);"
    echo "${runtime} s per test, ${size_mib} MiB device, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
    [[ "$table_args" == 0 ]] || echo "pmem-writecache table arguments: $table_args."
    echo
    python3 "$here/summarize.py" "$results/json"
} > "$results/results.md"
cat "$results/results.md"
