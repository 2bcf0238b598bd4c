#!/usr/bin/env python3
"""Turns the fio JSON files of bench/nbd/run.sh (SERVER--TEST.json) into markdown tables with ratios against
nbdkit memory, the peer measured in the same run. Standard library only.

Usage: summarize.py RESULTS/json
"""
import json
import sys
from pathlib import Path

REFERENCE = "nbdkit-memory"
ORDER = ["nbdkit-memory", "pmem-nbd-memory", "nbdkit-file", "nbdkit-file-cache", "qemu-nbd-writeback", "qemu-nbd-none",
         "pmem-writecache", "pmem-writecache-whole", "origin-fdatasync"]


def load(folder):
    """{server: {test: job}} for every SERVER--TEST.json in folder."""
    runs = {}
    for path in sorted(Path(folder).glob("*--*.json")):
        server, test = path.stem.split("--", 1)
        runs.setdefault(server, {})[test] = json.loads(path.read_text())["jobs"][0]
    return runs


def percentile_us(stats, percentile):
    """A percentile in microseconds from fio's nanosecond percentile table, or None when fio recorded none."""
    value = stats.get("percentile", {}).get(f"{percentile:.6f}")
    return value / 1000 if value else None


def commit_latency(job):
    """QD1 write + flush: (write p50, write p99, flush p50, flush p99, commit p50 = write p50 + flush p50), µs."""
    write = job["write"]["clat_ns"]
    flush = job["sync"]["lat_ns"]
    w50, w99 = percentile_us(write, 50), percentile_us(write, 99)
    f50, f99 = percentile_us(flush, 50), percentile_us(flush, 99)
    commit = w50 + f50 if w50 is not None and f50 is not None else None
    return w50, w99, f50, f99, commit


def throughput(tests):
    """(QD32 write IOPS, QD32 read IOPS, 1 MiB sequential write GB/s); None where the test did not run."""
    write = tests.get("qd32-write", {}).get("write", {}).get("iops")
    read = tests.get("qd32-read", {}).get("read", {}).get("iops")
    sequential = tests.get("seqwrite-1m", {}).get("write", {}).get("bw_bytes")
    return write, read, sequential / 1e9 if sequential else None


def fmt(value, digits=0):
    return "—" if value is None else f"{value:,.{digits}f}"


def ratio(value, reference):
    return "—" if value is None or not reference else f"{value / reference:.2f}×"


def main(folder):
    runs = load(folder)
    servers = [s for s in ORDER if s in runs] + sorted(set(runs) - set(ORDER))
    reference = runs.get(REFERENCE, {})
    ref_commit = commit_latency(reference["qd1-flush"])[4] if "qd1-flush" in reference else None
    ref_write, ref_read, ref_seq = throughput(reference)

    print("### 4 KiB random write, QD1, flush after every write (µs; lower is better)\n")
    print(f"| server | write p50 | write p99 | flush p50 | flush p99 | commit p50 (write + flush) | vs {REFERENCE} |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    commits = {}
    for server in servers:
        if "qd1-flush" not in runs[server]:
            continue
        w50, w99, f50, f99, commit = commit_latency(runs[server]["qd1-flush"])
        commits[server] = commit
        print(f"| {server} | {fmt(w50, 1)} | {fmt(w99, 1)} | {fmt(f50, 1)} | {fmt(f99, 1)} | {fmt(commit, 1)} "
              f"| {ratio(commit, ref_commit)} |")

    print(f"\n### Throughput (higher is better; ratios against {REFERENCE})\n")
    print("| server | 4 KiB QD32 write IOPS | ratio | 4 KiB QD32 read IOPS | ratio | 1 MiB seq write GB/s | ratio |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    for server in servers:
        write, read, sequential = throughput(runs[server])
        if write is None and read is None and sequential is None:
            continue
        print(f"| {server} | {fmt(write)} | {ratio(write, ref_write)} | {fmt(read)} | {ratio(read, ref_read)} "
              f"| {fmt(sequential, 2)} | {ratio(sequential, ref_seq)} |")

    print("\n### Goals\n")
    origin = commits.get("origin-fdatasync")
    for ours, cache in (("pmem-writecache", "a cache a quarter of the device: the tests overrun it"),
                        ("pmem-writecache-whole", "room for the whole device: writeback only from the high watermark")):
        if ours not in runs:
            print(f"{ours} was not measured in this run.")
            continue
        write, _, _ = throughput(runs[ours])
        print(f"{ours} ({cache}):\n")
        goals = [
            ("commit p50 ≤ 1.2× nbdkit memory", commits.get(ours), ref_commit, lambda v, r: v / r <= 1.2),
            ("QD32 random-write IOPS ≥ 1.0× nbdkit memory", write, ref_write, lambda v, r: v / r >= 1.0),
            ("commit ≥ 10× faster than the origin with fdatasync", origin, commits.get(ours), lambda v, r: v / r >= 10),
        ]
        for name, value, against, met in goals:
            if value is None or not against:
                print(f"- {name}: not measured")
            else:
                print(f"- {name}: {value / against:.2f}× — {'met' if met(value, against) else 'NOT met'}")
        print()

    if origin and ref_commit:
        # The floor of any NBD commit is two round trips; a server that persists nothing shows where it lies.
        print(f"For scale: {REFERENCE}, which persists nothing, commits {origin / ref_commit:.2f}× faster than the "
              "origin with fdatasync.")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/results/nbd/json")
