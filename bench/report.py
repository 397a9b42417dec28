"""Turns the raw results of bench/run.sh into Markdown tables and puts them
into BENCHMARKS.md between the bench:start and bench:end markers (appended
with the markers when they are missing; the rest of the file is kept).

Usage: python3 bench/report.py RESULTS_DIR "CORPORA" QUERY BENCHMARKS.md
"""

import json
import re
import sys
from pathlib import Path

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
MEMORY_BUDGET_MIB = 256  # `quarry index --memory` default
TARGETS = {"mb_s": 25.0, "p50_ms": 1.0, "p99_ms": 10.0, "cli_ms": 20.0}
# The corpora whose indexing speed the 25 MB/s target is about: plain text
# (in JSON Lines). bbc-news is 2,225 Markdown files of 2.4 KB each, where
# per-file work (front matter, Markdown, one manifest record) dominates.
PLAIN_TEXT = {"reuters", "gutenberg"}


def env(path):
    """KEY=value lines."""
    return dict(l.split("=", 1) for l in path.read_text().splitlines() if "=" in l)


def cpu_seconds(path):
    """User plus system CPU seconds from `/usr/bin/time -v`."""
    text = path.read_text()
    return sum(float(re.search(rf"{kind} time \(seconds\): (\S+)", text).group(1)) for kind in ("User", "System"))


def gnu_time(path):
    """Wall seconds and peak RSS (KiB) from `/usr/bin/time -v`."""
    text = path.read_text()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
    seconds = 0.0
    for part in wall.split(":"):
        seconds = seconds * 60 + float(part)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return seconds, rss


def index_runs(results, name):
    """(wall s, CPU s, peak RSS KiB) of each indexing run of a corpus, in
    run order (`NAME.index.N.time`; an older single `NAME.index.time` too)."""
    paths = sorted(results.glob(f"{name}.index.*.time"), key=lambda p: int(p.name.split(".")[-2]))
    paths = paths or [results / f"{name}.index.time"]
    runs = []
    for path in paths:
        wall, rss = gnu_time(path)
        runs.append((wall, cpu_seconds(path), rss))
    return runs


def median(values):
    """The middle value (the lower middle of an even count: a real run)."""
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def latency_tables(path):
    """The two Markdown tables printed by benches/latency.rs: rows only."""
    tables, rows = [], []
    for line in path.read_text().splitlines():
        if line.startswith("| index |"):
            rows = []
            tables.append(rows)
        elif line.startswith("|") and not line.startswith("|---"):
            rows.append(line)
    return tables


def cells(row):
    return [c.strip() for c in row.strip("|").split("|")]


def hot_rows(path):
    """(bench, median time, median throughput) from criterion's output."""
    rows, name = [], None
    for line in path.read_text().splitlines():
        m = re.match(r"^(\S+)?\s*(time|thrpt):\s+\[(.*)\]", line)
        if m and "%" in m.group(3):
            continue  # criterion's change against its last saved run
        if m:
            name = m.group(1) or name
            middle = " ".join(m.group(3).split()[2:4])
            if m.group(2) == "time":
                rows.append([name, middle, ""])
            elif rows:
                rows[-1][2] = middle
        elif line and not line[0].isspace() and not line.startswith(("Benchmarking", "Found", "Warning")):
            name = line.split()[0]
    return rows


def main():
    results, corpora, query, target = Path(sys.argv[1]), sys.argv[2].split(), sys.argv[3], Path(sys.argv[4])
    machine = env(results / "machine.env")
    out = []
    mem_gib = int(machine["memory_kb"]) / 1024 / 1024
    out.append(
        f"Written by `bench/run.sh` on {machine['date']} (commit {machine['commit']}, "
        f"{machine['rustc']}, release build). Machine: {machine['cpu']}, {machine['cores']} cores, "
        f"{mem_gib:.0f} GiB of memory, Linux {machine['kernel']}. Load average "
        f"{machine['load']} when the run started and {machine['load_end']} when it ended (the "
        "suite's own build and runs count in it); other jobs may share the cores, so wall "
        "times vary from run to run and CPU times are given too."
    )
    out.append("")
    out.append("### Indexing")
    out.append("")
    runs = machine.get("index_runs", "1")
    out.append(
        f"{runs} fresh index(es) of each corpus, one after the other, each into an empty folder, with the "
        "defaults (`--memory 256` MiB for the whole run, one indexing thread per core), warm file cache; "
        "wall time and peak RSS of the whole `quarry index` process from `/usr/bin/time -v` (CPU s: user + "
        "system, all threads). `wall s` and `MB/s` are those of the median run (by wall time), with the "
        "range over the runs; peak RSS is the highest of the runs. MB = 10^6 bytes of corpus files as read "
        "(JSON Lines with their metadata); MiB = 2^20 bytes."
    )
    out.append("")
    out.append("| corpus | input MB | documents | passages | wall s (range) | CPU s | MB/s (range) | documents/s | peak RSS MiB | index MiB |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    indexing = {}
    for name in corpora:
        measured = index_runs(results, name)
        wall, cpu, _ = median(measured)
        walls = [w for w, _, _ in measured]
        rss = max(r for _, _, r in measured)
        stats = json.loads((results / f"{name}.stats.json").read_text())
        sizes = env(results / f"{name}.sizes.env")
        mb = int(sizes["input_bytes"]) / 1e6
        indexing[name] = (mb / wall, rss / 1024)
        out.append(
            f"| {name} | {mb:.1f} | {stats['documents']:,} | {stats['passages']:,} | "
            f"{wall:.2f} ({min(walls):.2f}–{max(walls):.2f}) | {cpu:.2f} | "
            f"{mb / wall:.1f} ({mb / max(walls):.1f}–{mb / min(walls):.1f}) | "
            f"{stats['documents'] / wall:,.0f} | {rss / 1024:.0f} | "
            f"{int(sizes['index_bytes']) / 2**20:.1f} |"
        )
    out.append("")
    out.append("### Search latency in process")
    out.append("")
    out.append(
        "`cargo bench --bench latency -- --index DIR --queries bench/keywords.txt "
        "DATA/ir-*/queries.jsonl --breakdown`: the index opened once, one warm-up pass, then "
        "each query timed around `search::search` (which keeps one reader while the index does not change), 10 hits. "
        f"Each query runs {machine['rounds']} time(s) and counts with the median of its runs; "
        "percentiles are over queries; a query's variants (with and without highlighting, the "
        "steps below) run back to back, so a busy moment weighs on all of them. `keywords`: 500 hand-written 1–3 word queries (`bench/keywords.txt`) run "
        "as `quarry search QUERY`; `ir-*`: the collections' queries (2 to 342 words, median about 17) run as "
        "`quarry eval` runs them (`--plain --any`). Highlight `no`: `Request::highlight = false` "
        "(no tokenizing, no marks, the whole passage as its window). `no hits`: queries that found nothing."
    )
    out.append("")
    out.append("| index | query set | queries | no hits | highlight | p50 ms | p95 ms | p99 ms | mean ms | max ms |")
    out.append("|---|---|---:|---:|---|---:|---:|---:|---:|---:|")
    latency, breakdown, slow = {}, [], []
    for name in corpora:
        tables = latency_tables(results / f"{name}.latency.md")
        out.extend(tables[0])
        for row in tables[0]:
            c = cells(row)
            latency[(name, c[1], c[4])] = (float(c[5]), float(c[7]))
        breakdown.extend(tables[1] if len(tables) > 1 else [])
        slowest = tables[2] if len(tables) > 2 else []
        keywords = [r for r in slowest if cells(r)[1] == "keywords"]
        others = sorted((r for r in slowest if cells(r)[1] != "keywords"), key=lambda r: -float(cells(r)[3]))
        slow.extend(keywords + others[:3])
    out.append("")
    out.append(
        "Where the time goes (all queries together; each step adds work to the one before, "
        "and the last row opens a new index handle, so a new reader, for each search):"
    )
    out.append("")
    out.append("| index | step | p50 ms | p99 ms | mean ms |")
    out.append("|---|---|---:|---:|---:|")
    out.extend(breakdown)
    if slow:
        out.append("")
        out.append(
            "The slowest queries of each index, highlighted (median of the runs): the five "
            "slowest keyword queries, then the three slowest IR queries."
        )
        out.append("")
        out.append("| index | query set | query | ms |")
        out.append("|---|---|---|---:|")
        out.extend(slow)
    out.append("")
    out.append("### Whole `quarry search` process")
    out.append("")
    tools = {env(results / f"{n}.cli.env")["tool"] for n in corpora}
    how = "hyperfine (`-N`, 3 warm-up runs)" if tools == {"hyperfine"} else "a Python timer loop (3 warm-up runs)"
    out.append(
        f"`quarry search --index DIR --color never '{query}'`, from process start to exit, "
        f"timed with {how}; peak RSS from `/usr/bin/time -v`."
    )
    out.append("")
    out.append("| index | runs | mean ms | min ms | peak RSS MiB |")
    out.append("|---|---:|---:|---:|---:|")
    cli = {}
    for name in corpora:
        e = env(results / f"{name}.cli.env")
        _, rss = gnu_time(results / f"{name}.search.time")
        cli[name] = float(e["mean"]) * 1e3
        out.append(f"| {name} | {e['runs']} | {float(e['mean']) * 1e3:.1f} | {float(e['min']) * 1e3:.1f} | {rss / 1024:.0f} |")
    out.append("")
    out.append("### Against the targets")
    out.append("")
    out.append("| target | measured | met |")
    out.append("|---|---|---|")
    yes = lambda ok: "yes" if ok else "**no**"
    plain = {n: v for n, v in indexing.items() if n in PLAIN_TEXT}
    if plain:
        speeds = ", ".join(f"{n} {s:.1f}" for n, (s, _) in plain.items())
        out.append(
            f"| indexing ≥ 25 MB/s of plain text (median run) | {speeds} MB/s | "
            f"{yes(all(s >= TARGETS['mb_s'] for s, _ in plain.values()))} |"
        )
    for n, (s, _) in indexing.items():
        if n not in PLAIN_TEXT:
            out.append(
                f"| indexing {n} (many small Markdown files with YAML front matter: "
                f"not plain text; shown, not a target) | {s:.1f} MB/s | — |"
            )
    for key in [("reuters", "keywords", "yes"), ("reuters", "**all**", "yes")]:
        if key in latency:
            p50, p99 = latency[key]
            label = "keyword queries" if key[1] == "keywords" else "all queries (keywords and IR)"
            out.append(f"| Reuters, {label}, highlighted: p50 < 1 ms | {p50:.2f} ms | {yes(p50 < TARGETS['p50_ms'])} |")
            out.append(f"| Reuters, {label}, highlighted: p99 < 10 ms | {p99:.2f} ms | {yes(p99 < TARGETS['p99_ms'])} |")
    cli_text = ", ".join(f"{n} {ms:.1f}" for n, ms in cli.items())
    out.append(f"| `quarry search` process < 20 ms (mean) | {cli_text} ms | {yes(all(ms < TARGETS['cli_ms'] for ms in cli.values()))} |")
    rss_text = ", ".join(f"{n} {r:.0f}" for n, (_, r) in indexing.items())
    out.append(
        f"| peak RSS while indexing ≤ `--memory` ({MEMORY_BUDGET_MIB} MiB) | {rss_text} MiB | "
        f"{yes(all(r <= MEMORY_BUDGET_MIB for _, r in indexing.values()))} |"
    )
    hot = results / "hot.txt"
    if hot.exists():
        out.append("")
        out.append("### Hot functions (criterion)")
        out.append("")
        out.append(
            "`cargo bench --bench hot -- --warm-up-time 1 --measurement-time 3`, on text generated "
            "in the bench (`analyzers` and `highlight` work on one passage of 122 words, 835 "
            "bytes; `plain_any_with_tokens` is tokenizing and stemming all of title and "
            "passage, then highlighting; `plain_any_with_plan_tokens` is what a search does "
            "per hit: the same with only the words the plan can match stemmed and kept); "
            "criterion's median estimate."
        )
        out.append("")
        out.append("| bench | time | throughput |")
        out.append("|---|---:|---:|")
        out.extend(f"| {n} | {t} | {h} |" for n, t, h in hot_rows(hot))
    section = "\n".join(out)
    text = target.read_text()
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = f"{before}{START}\n{section}\n{END}{after}"
    else:
        text = f"{text.rstrip()}\n\n## Speed, memory and latency (bench/run.sh)\n\n{START}\n{section}\n{END}\n"
    target.write_text(text)


if __name__ == "__main__":
    main()
