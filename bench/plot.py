#!/usr/bin/python3
"""Plots for docs/performance.md from the results the suites leave in bench/results/ (Debian python3-matplotlib).

  bench/plot.py [--primitives bench/results/primitives/results] [--nbd bench/results/nbd/json]
                [--scale bench/results/scale/results.jsonl] [--out docs/img]

Writes primitives-bandwidth.png (GB/s vs copy size), sequence-variants.png (ns per copy for each x86-64 sequence,
cold and hot), nbd-qd1-latency-cdf.png (write and flush latency CDFs of the QD1 flush test) and
writecache-scale.png (the scale curve of bench/scale/run.sh, its latest run). A plot whose results are missing is
skipped with a note.
"""
import argparse
import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

REPO = Path(__file__).resolve().parent.parent


def benchmarks(report):
    """(method, job, size, hot, mean ns) for each benchmark of a BenchmarkDotNet full JSON report."""
    for entry in json.loads(report.read_text())["Benchmarks"]:
        size = re.search(r"Size=(\d+)( hot)?", entry["Parameters"])
        job = re.search(r": (\w+)\(", entry["DisplayInfo"])
        mean = (entry.get("Statistics") or {}).get("Mean")
        if size and mean:
            yield entry["MethodTitle"].strip("'"), job.group(1) if job else "", int(size.group(1)), bool(size.group(2)), mean


def size_axis(axes):
    axes.set_xscale("log", base=2)
    axes.set_xlabel("copy size (bytes)")
    axes.grid(True, which="both", alpha=0.3)


def plot_bandwidth(folder, out):
    report = folder / "Pmem.Benchmarks.CopyBenchmarks-report-full.json"
    if not report.exists():
        return f"skipped {out.name}: no {report}"
    series = {}
    for method, _, size, hot, mean in benchmarks(report):
        if not hot:
            series.setdefault(method, []).append((size, size / mean))
    figure, axes = plt.subplots(figsize=(8, 5))
    for method, points in series.items():
        points.sort()
        axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=method)
    size_axis(axes)
    axes.set_ylabel("GB/s (10^9 bytes/s)")
    axes.set_title("Persistent copy, destinations cycling over 64 MiB (/dev/shm)")
    axes.legend()
    figure.tight_layout()
    figure.savefig(out, dpi=110)
    return f"wrote {out}"


def plot_variants(folder, out):
    report = folder / "Pmem.Benchmarks.SequenceVariantBenchmarks-report-full.json"
    if not report.exists():
        return f"skipped {out.name}: no {report}"
    labels = {("Pmem", "NtAlways"): "non-temporal stores + sfence",
              ("Pmem", "CachedClwb"): "cached copy + clwb + sfence",
              ("Pmem", "CachedClflushopt"): "cached copy + clflushopt + sfence",
              ("ARM-style", "CachedClwb"): "ARM-style late flush (clwb)",
              ("ARM-style", "CachedClflushopt"): "ARM-style late flush (clflushopt)"}
    series = {}
    for method, job, size, hot, mean in benchmarks(report):
        label = labels.get((method.split()[0], job))
        if label:
            series.setdefault((hot, label), []).append((size, mean))
    figure, panes = plt.subplots(1, 2, figsize=(12, 5), sharey=True)
    for hot, axes in zip((False, True), panes):
        for label in labels.values():
            points = sorted(series.get((hot, label), []))
            if points:
                axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
        size_axis(axes)
        axes.set_yscale("log")
        axes.axvline(256, color="grey", linestyle="--", linewidth=1, label="current threshold (256 B)")
        axes.set_title("destination cache-hot" if hot else "destinations cycling over 64 MiB (cold)")
    panes[0].set_ylabel("ns per persistent copy (lower is better)")
    panes[1].legend(fontsize="small")
    figure.suptitle("x86-64 persistent-copy sequences, one process per sequence, same run")
    figure.tight_layout()
    figure.savefig(out, dpi=110)
    return f"wrote {out}"


def plot_latency_cdf(folder, out):
    runs = sorted(folder.glob("*--qd1-flush.json"))
    if not runs:
        return f"skipped {out.name}: no {folder}/*--qd1-flush.json"
    figure, (write_axes, flush_axes) = plt.subplots(1, 2, figsize=(11, 5), sharey=True)
    for run in runs:
        job = json.loads(run.read_text())["jobs"][0]
        server = run.name.split("--")[0]
        for axes, stats in ((write_axes, job["write"]["clat_ns"]), (flush_axes, job["sync"]["lat_ns"])):
            table = sorted((float(p), ns / 1000) for p, ns in stats.get("percentile", {}).items())
            if table:
                axes.plot([t[1] for t in table], [t[0] for t in table], marker=".", label=server)
    for axes, what in ((write_axes, "4 KiB write"), (flush_axes, "flush")):
        axes.set_xscale("log")
        axes.set_xlabel(f"{what} latency (µs)")
        axes.grid(True, which="both", alpha=0.3)
        axes.set_title(f"{what}, QD1, flush after every write")
    write_axes.set_ylabel("percentile")
    flush_axes.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(out, dpi=110)
    return f"wrote {out}"


def plot_scale(results, out):
    if not results.exists():
        return f"skipped {out.name}: no {results}"
    rows = [json.loads(line) for line in results.read_text().splitlines() if line.strip()]
    latest = max(r["run"] for r in rows)
    rows = sorted((r for r in rows if r["run"] == latest), key=lambda r: r["size"])
    figure, grid = plt.subplots(2, 2, figsize=(12, 9))
    panels = (
        (grid[0][0], "RAM per cache block (bytes)",
         lambda r: r["format.ramBytes"] / r["format.blocks"], None),
        (grid[0][1], "format (s): first open of a zero cache",
         lambda r: r["format.openSeconds"], lambda r: r["ddMetadataWriteSeconds"]),
        (grid[1][0], "open after SIGKILL: recovery (s)",
         lambda r: r["recover-flush.openSeconds"], lambda r: r["ddMetadataReadSeconds"]),
        (grid[1][1], "flush of the dirty set (s)",
         lambda r: r["recover-flush.flushSeconds"], lambda r: r["ddDirtyWriteSeconds"]),
    )
    names = {"s": "ssd (disk, sparse file)", "p": "pmem (/dev/shm)"}
    for axes, title, value, device in panels:
        for mode in ("s", "p"):
            points = [r for r in rows if r["mode"] == mode]
            if not points:
                continue
            sizes = [r["size"] for r in points]
            line = axes.plot(sizes, [value(r) for r in points], marker="o", label=names[mode])[0]
            if device:
                axes.plot(sizes, [device(r) for r in points], linestyle="--", color=line.get_color(),
                          label=f"{names[mode]}: dd of the same bytes")
        axes.set_xscale("log", base=2)
        axes.set_yscale("log")
        axes.set_xlabel("cache size (bytes)")
        axes.set_title(title)
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize="small")
    figure.suptitle(f"writecache scale curve ({latest}, commit {rows[0]['commit']})")
    figure.tight_layout()
    figure.savefig(out, dpi=110)

    rss_out = out.with_name("writecache-scale-rss.png")
    figure, axes = plt.subplots(figsize=(8, 5))
    for mode in ("s", "p"):
        points = [r for r in rows if r["mode"] == mode]
        if not points:
            continue
        sizes = [r["size"] for r in points]
        line = axes.plot(sizes, [r["recover-flush.flushPeakRssAnonBytes"] / 2**20 for r in points], marker="o",
                         label=f"{names[mode]}: peak anonymous RSS while flushing")[0]
        axes.plot(sizes, [(r["recover-flush.ramBytes"] + r["recover-flush.writebackJobsBytes"]) / 2**20 for r in points],
                  linestyle="--", color=line.get_color(), label=f"{names[mode]}: index + writeback_jobs x block")
    axes.set_xscale("log", base=2)
    axes.set_yscale("log")
    axes.set_xlabel("cache size (bytes)")
    axes.set_ylabel("MiB")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(rss_out, dpi=110)
    return f"wrote {out} and {rss_out}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--primitives", type=Path, default=REPO / "bench/results/primitives/results")
    parser.add_argument("--nbd", type=Path, default=REPO / "bench/results/nbd/json")
    parser.add_argument("--scale", type=Path, default=REPO / "bench/results/scale/results.jsonl")
    parser.add_argument("--out", type=Path, default=REPO / "docs/img")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(plot_bandwidth(args.primitives, args.out / "primitives-bandwidth.png"))
    print(plot_variants(args.primitives, args.out / "sequence-variants.png"))
    print(plot_latency_cdf(args.nbd, args.out / "nbd-qd1-latency-cdf.png"))
    print(plot_scale(args.scale, args.out / "writecache-scale.png"))


if __name__ == "__main__":
    main()
