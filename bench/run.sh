#!/usr/bin/env bash
# Reproducible benchmarks: indexes three corpora, measures search latency in
# process (benches/latency.rs) and per `quarry search` process, runs the
# criterion benches (benches/hot.rs), and writes the tables into
# BENCHMARKS.md between the bench:start and bench:end markers.
#
# Usage: bench/run.sh DATA_DIR [WORK_DIR]
#   DATA_DIR  holds bbc-news/docs, reuters21578/reuters21578.jsonl,
#             gutenberg-300mb/gutenberg-300mb.jsonl.zst and ir-*/queries.jsonl
#   WORK_DIR  corpora links, the decompressed Gutenberg file (300 MB),
#             indexes and raw results (default: a new temporary folder; kept)
# Environment: CORPORA (default "bbc-news reuters gutenberg"), SEARCH_RUNS
# (CLI runs per index, default 30), ROUNDS (latency rounds, default 3),
# INDEX_RUNS (fresh indexes of each corpus, default 3: the median is shown),
# HOT=0 skips the criterion benches.
# Needs: cargo, python3, zstd, GNU time (/usr/bin/time); hyperfine if present.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
[ $# -ge 1 ] || { echo "usage: bench/run.sh DATA_DIR [WORK_DIR]" >&2; exit 2; }
data=$(realpath "$1")
work=$(realpath -m "${2:-$(mktemp -d -t quarry-bench.XXXXXX)}")
mkdir -p "$work"
corpora=${CORPORA:-"bbc-news reuters gutenberg"}
search_runs=${SEARCH_RUNS:-30}
rounds=${ROUNDS:-3}
index_runs=${INDEX_RUNS:-3}
query="oil prices"   # the query of the per-process timing
results="$work/results"
rm -rf "$results" && mkdir -p "$results"

# quarry reads QUARRY_* variables and a quarry.toml: use neither.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^QUARRY_' || true)
export QUARRY_CONFIG=

log() { echo "bench: $*" >&2; }

log "building (release) into target/"
cargo build --release --quiet
cargo bench --quiet --bench latency --no-run
quarry="$repo/target/release/quarry"

# The machine, recorded beside the tables.
{
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "cores=$(nproc)"
  echo "memory_kb=$(awk '/MemTotal/ {print $2}' /proc/meminfo)"
  echo "kernel=$(uname -r)"
  echo "rustc=$(rustc --version)"
  echo "commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src benches Cargo.toml || echo '+changes')"
  echo "date=$(date -u +%Y-%m-%d)"
  echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "rounds=$rounds"
  echo "index_runs=$index_runs"
} > "$results/machine.env"

# Lays out corpus NAME in the work folder; prints "corpus_dir extra_flags".
prepare() {
  case "$1" in
    bbc-news)
      echo "$data/bbc-news/docs"
      ;;
    reuters)
      mkdir -p "$work/reuters/corpus"
      ln -sf "$data/reuters21578/reuters21578.jsonl" "$work/reuters/corpus/reuters21578.jsonl"
      echo "$work/reuters/corpus --follow-symlinks"
      ;;
    gutenberg)
      local out="$work/gutenberg/corpus/gutenberg-300mb.jsonl"
      mkdir -p "$work/gutenberg/corpus"
      if [ ! -s "$out" ]; then
        log "decompressing Gutenberg into $out"
        zstd -q -d --long=27 -f "$data/gutenberg-300mb/gutenberg-300mb.jsonl.zst" -o "$out.part"
        mv "$out.part" "$out"
      fi
      # One 300 MB file: over the default --max-file-size of 64 MiB.
      echo "$work/gutenberg/corpus --max-file-size 1000000000"
      ;;
    *) log "unknown corpus $1"; exit 2 ;;
  esac
}

for name in $corpora; do
  spec=$(prepare "$name")
  read -r corpus flags <<< "$spec"
  index="$work/$name/index"
  rm -rf "$index"; mkdir -p "$work/$name"
  input_bytes=$(find -L "$corpus" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
  find -L "$corpus" -type f -exec cat {} + > /dev/null   # warm file cache
  # Each run into an empty folder; the report takes the median run (the
  # cores are shared: one run can be slowed by a neighbour's build).
  for run in $(seq "$index_runs"); do
    log "indexing $name ($input_bytes bytes), run $run of $index_runs"
    rm -rf "$index"
    # shellcheck disable=SC2086
    /usr/bin/time -v "$quarry" index -q $flags --corpus "$corpus" --index "$index" \
      2> "$results/$name.index.$run.time"
  done
  "$quarry" stats --index "$index" --format json > "$results/$name.stats.json"
  {
    echo "input_bytes=$input_bytes"
    echo "index_bytes=$(du -sb "$index" | cut -f1)"
  } > "$results/$name.sizes.env"

  log "in-process latency on $name"
  cargo bench --quiet --bench latency -- --index "$index" --label "$name" \
    --rounds "$rounds" --breakdown --slowest 5 \
    --queries "$repo/bench/keywords.txt" "$data"/ir-*/queries.jsonl \
    > "$results/$name.latency.md"

  log "whole 'quarry search' process on $name"
  cmd=("$quarry" search --index "$index" --color never "$query")
  if command -v hyperfine > /dev/null; then
    hyperfine -N -i --warmup 3 --runs "$search_runs" --style none \
      --export-json "$results/$name.cli.json" "$(printf '%q ' "${cmd[@]}")" > /dev/null
    python3 - "$results/$name.cli.json" > "$results/$name.cli.env" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"tool=hyperfine\nruns={len(r['times'])}\nmean={r['mean']}\nmin={r['min']}")
EOF
  else
    python3 - "$search_runs" "${cmd[@]}" > "$results/$name.cli.env" <<'EOF'
import subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
for _ in range(3):
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
times = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append(time.perf_counter() - t)
print(f"tool=python\nruns={runs}\nmean={sum(times) / len(times)}\nmin={min(times)}")
EOF
  fi
  /usr/bin/time -v "${cmd[@]}" > /dev/null 2> "$results/$name.search.time" || true
done

if [ "${HOT:-1}" != 0 ]; then
  log "criterion benches (benches/hot.rs)"
  cargo bench --quiet --bench hot -- --warm-up-time 1 --measurement-time 3 \
    > "$results/hot.txt" 2> /dev/null
fi

echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$results/machine.env"
log "writing BENCHMARKS.md"
python3 bench/report.py "$results" "$corpora" "$query" BENCHMARKS.md
log "raw results in $results"
