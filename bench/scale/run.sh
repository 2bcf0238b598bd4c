#!/usr/bin/env bash
# The writecache scale curve: for each cache size, in its own process per phase (bench/Pmem.WriteCache.Benchmarks
# --scale-phase), format a fresh cache, fill a dirty set, commit it and SIGKILL the process, then recover the cache
# and write everything back (the flush message) — recording open/recovery, format and flush times, RAM per block and
# peak RSS; next to each, dd of the same bytes on the same file system (the device's own bandwidth).
#
#   bench/scale/run.sh [--quick] [--out bench/results/scale/results.jsonl]
#
# ssd mode: sparse cache and origin files in a scratch directory under the repository's file system (64 MiB … 1 TiB;
# the 1 TiB cache has ~4.3 GB of metadata, written at format). pmem mode: cache files on /dev/shm (64 MiB … 8 GiB).
# The dirty set is bounded (DIRTY, default 512 MiB, 90 % of the cache below that) so the whole curve stays under
# ~20 minutes on a shared disk; every scratch file is removed at the end. --quick: the two smallest sizes per mode;
# SSD_SIZES / PMEM_SIZES (e.g. "1T", or "" for none) choose the sizes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out="$repo/bench/results/scale/results.jsonl"
quick=0
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --out) out=$2; shift ;;
        *) echo "usage: $0 [--quick] [--out FILE]" >&2; exit 2 ;;
    esac
    shift
done

dirty_max=${DIRTY:-$((512 * 1024 * 1024))}
read -r -a ssd_sizes <<< "${SSD_SIZES-64M 1G 16G 256G 1T}"
read -r -a pmem_sizes <<< "${PMEM_SIZES-64M 1G 8G}"
if [ "$quick" = 1 ]; then ssd_sizes=(64M 1G); pmem_sizes=(64M 1G); fi

project="$repo/bench/Pmem.WriteCache.Benchmarks"
dotnet build -c Release --nologo -v quiet "$project" >/dev/null
bench=(dotnet "$project/bin/Release/net10.0/Pmem.WriteCache.Benchmarks.dll" --scale-phase)

scratch=$(mktemp -d "$repo/.scale-scratch.XXXXXX")
shm=$(mktemp -d /dev/shm/pmem-scale.XXXXXX)
trap 'rm -rf "$scratch" "$shm"' EXIT
mkdir -p "$(dirname "$out")"
run_id=$(date -u +%Y-%m-%dT%H:%M:%SZ)
commit=$(git -C "$repo" rev-parse --short HEAD)

bytes() { numfmt --from=iec "$1"; }

# dd's rate in bytes/s for "dd ... " (its last line ends in "<n> s, <rate>").
dd_seconds() { "$@" 2>&1 | tail -n 1 | awk -F', ' '{ split($(NF-1), t, " "); print t[1] }'; }

record() { # mode size phase-json dd-json
    python3 - "$@" <<'PY' >> "$out"
import json, sys
mode, size, run_id, commit, phases, dd = sys.argv[1:7]
row = {"run": run_id, "commit": commit, "mode": mode, "size": int(size)}
for line in phases.splitlines():
    p = json.loads(line)
    for key, value in p.items():
        if key not in ("phase", "mode"):
            row[f"{p['phase']}.{key}"] = value
row.update(json.loads(dd))
print(json.dumps(row))
PY
}

curve() { # mode dir size...
    local mode=$1 dir=$2; shift 2
    for size in "$@"; do
        local n cache="$dir/cache-$size" origin="$scratch/origin-$size"
        n=$(bytes "$size")
        truncate -s "$n" "$cache"
        truncate -s "$n" "$origin"
        local dirty=$(( n * 9 / 10 < dirty_max ? n * 9 / 10 / 1048576 * 1048576 : dirty_max ))
        echo "== $mode $size (dirty $((dirty / 1048576)) MiB)" >&2
        local format fill recover
        format=$("${bench[@]}" format "$mode" "$cache" "$origin")
        local metadata
        metadata=$(python3 -c "import json,sys; print(64 + 16 * json.loads(sys.argv[1])['blocks'])" "$format")
        fill=$("${bench[@]}" fill "$mode" "$cache" "$origin" "$dirty" || true) # it ends itself with SIGKILL
        [ "$mode" = s ] && dd if="$cache" iflag=nocache count=0 status=none # recovery reads the device, not the page cache
        recover=$("${bench[@]}" recover-flush "$mode" "$cache" "$origin")
        # The device's own bandwidth for the same bytes: writing the metadata (format), reading it (open), writing
        # the dirty set durably (flush).
        local mib=$(( (metadata + 1048575) / 1048576 )) ddfile="$dir/dd.tmp"
        local ddw ddr ddf
        ddw=$(dd_seconds dd if=/dev/zero of="$ddfile" bs=1M count="$mib" conv=fdatasync)
        if [ "$mode" = s ]; then
            ddr=$(dd_seconds dd if="$cache" of=/dev/null bs=1M count="$mib" iflag=direct)
        else
            ddr=$(dd_seconds dd if="$cache" of=/dev/null bs=1M count="$mib")
        fi
        rm -f "$ddfile"
        ddf=$(dd_seconds dd if=/dev/zero of="$scratch/dd.tmp" bs=1M count=$((dirty / 1048576)) conv=fdatasync)
        rm -f "$scratch/dd.tmp"
        record "$mode" "$n" "$run_id" "$commit" "$format"$'\n'"$fill"$'\n'"$recover" \
            "{\"metadataBytes\": $metadata, \"dirtyBytes\": $dirty, \"ddMetadataWriteSeconds\": $ddw, \"ddMetadataReadSeconds\": $ddr, \"ddDirtyWriteSeconds\": $ddf}"
        rm -f "$cache" "$origin"
        tail -n 1 "$out" >&2
    done
}

curve s "$scratch" "${ssd_sizes[@]}"
curve p "$shm" "${pmem_sizes[@]}"
echo "results appended to $out; plot with: bench/plot.py --scale $out" >&2
