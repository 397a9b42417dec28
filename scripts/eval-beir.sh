#!/usr/bin/env bash
# Indexes each BEIR-layout collection under DATA (ir-*/corpus.jsonl) and runs
# `quarry eval` on it; prints one line per collection and the mean.
# Usage: scripts/eval-beir.sh [DATA_DIR] [WORK_DIR]   (defaults: ../shared/data, a temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
work="${2:-$(mktemp -d)}"
cargo build --release --quiet
q=target/release/quarry
printf '%-16s %8s %10s %8s %8s\n' collection ndcg@10 recall@100 mrr@10 map
sum=0; n=0
for dir in "$data"/ir-*; do
  name=$(basename "$dir")
  corpus="$work/$name/corpus"; index="$work/$name/index"
  mkdir -p "$corpus"
  ln -sf "$(realpath "$dir/corpus.jsonl")" "$corpus/corpus.jsonl"
  "$q" index -q --follow-symlinks --corpus "$corpus" --index "$index"
  qrels="$dir/qrels/test.tsv"
  json=$("$q" eval -q --index "$index" --queries "$dir/queries.jsonl" --qrels "$qrels" --format json)
  read -r ndcg recall mrr map < <(python3 -c 'import json,sys; m=json.loads(sys.argv[1])["means"]; print(m["ndcg@10"], m["recall@100"], m["mrr@10"], m["map"])' "$json")
  printf '%-16s %8.4f %10.4f %8.4f %8.4f\n' "$name" "$ndcg" "$recall" "$mrr" "$map"
  sum=$(python3 -c "print($sum + $ndcg)"); n=$((n + 1))
done
python3 -c "print(f'{\"mean\":<16} {$sum / $n:8.4f}')"
