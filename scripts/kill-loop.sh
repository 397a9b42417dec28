#!/usr/bin/env bash
# Kill loop for long runs (reliability.md scenario A5, EXT tier).
#
# Usage: scripts/kill-loop.sh [ITERATIONS] [FILES]     (defaults: 100 5000)
#
# Builds the release binary, writes a corpus of FILES small files into a
# temporary directory, then for each iteration:
#   1. mutates about 5% of the files (rewrites most, deletes and adds a few),
#   2. starts `quarry index` and kills it with SIGKILL after 50-900 ms,
#   3. checks that `quarry verify` exits 0 and `quarry search` exits 0 or 1,
#   4. runs `quarry index` again to completion (must exit 0).
# At the end, `quarry status` must show nothing added, modified or deleted,
# and the index must hold as many files and passages as a fresh reference
# index of the same corpus. Prints one summary line; exits 1 on any failure.
#
# Environment knobs (defaults in brackets): SEED [the shell's PID] makes
# the mutations and delays repeatable; MIN_MS [5] and MAX_MS [300] bound
# the delay before the kill; CHANGE_PCT [5] is the share of files mutated
# per iteration. The release binary indexes a few thousand files in well
# under a second, so a run that finishes before its kill is counted apart;
# the summary warns when most runs did.

set -euo pipefail

ITERATIONS=${1:-100}
FILES=${2:-5000}
SEED=${SEED:-$$}
MIN_MS=${MIN_MS:-5}
MAX_MS=${MAX_MS:-300}
CHANGE_PCT=${CHANGE_PCT:-5}

for value in "$ITERATIONS" "$FILES" "$SEED" "$MIN_MS" "$MAX_MS" "$CHANGE_PCT"; do
    if ! [[ $value =~ ^[0-9]+$ ]]; then
        echo "usage: $0 [ITERATIONS] [FILES] (numbers; see the header for SEED, MIN_MS, MAX_MS, CHANGE_PCT)" >&2
        exit 2
    fi
done
if ((FILES == 0 || MAX_MS < MIN_MS)); then
    echo "$0: FILES must be positive and MAX_MS at least MIN_MS" >&2
    exit 2
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/quarry-kill-loop.XXXXXX")
CHILD=""

cleanup() {
    if [[ -n $CHILD ]]; then
        kill -9 "$CHILD" 2>/dev/null || true
        wait "$CHILD" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "kill-loop: building the release binary" >&2
(cd "$ROOT" && cargo build --release --quiet)
QUARRY="$ROOT/target/release/quarry"

CORPUS="$WORK/corpus"
INDEX="$WORK/index"
LOG="$WORK/log"
mkdir -p "$CORPUS"

RANDOM=$SEED
STONES=(marble slate basalt quartz shale flint granite chalk)

path_of() { # n -> corpus-relative path
    printf 'd%02d/f%06d.txt' $(($1 % 50)) "$1"
}

write_file() { # n version
    local n=$1 v=$2 file
    file="$CORPUS/$(path_of "$n")"
    mkdir -p "${file%/*}"
    {
        printf 'Report u%06dq on granite, version v%dx.\n\n' "$n" "$v"
        for s in 0 1 2; do
            printf 'The %s seam number %d near site %d was surveyed in year %d.\n' \
                "${STONES[$(((n + s + v) % 8))]}" "$s" $((n * 7 + s)) $((1900 + (n + v) % 100))
        done
    } >"$file"
}

echo "kill-loop: writing $FILES files (seed $SEED)" >&2
for ((n = 0; n < FILES; n++)); do
    write_file "$n" 0
done
NEXT=$FILES # the number of the next new file

FAILURES=0
KILLED=0
FINISHED=0

fail() {
    FAILURES=$((FAILURES + 1))
    echo "FAIL (iteration $1, seed $SEED): $2" >&2
    if [[ -s $LOG ]]; then
        sed -e 's/^/    /' "$LOG" | head -n 20 >&2
    fi
}

mutate() {
    local count=$((FILES * CHANGE_PCT / 100 + 1)) k n r
    for ((k = 0; k < count; k++)); do
        n=$(((RANDOM * 32768 + RANDOM) % NEXT))
        r=$((RANDOM % 10))
        if ((r == 0)); then
            rm -f "$CORPUS/$(path_of "$n")"
        elif ((r == 1)); then
            write_file "$NEXT" "$1"
            NEXT=$((NEXT + 1))
        else
            write_file "$n" "$1"
        fi
    done
}

for ((i = 1; i <= ITERATIONS; i++)); do
    if ((i > 1)); then
        mutate "$i"
    fi
    delay=$((MIN_MS + RANDOM % (MAX_MS - MIN_MS + 1)))
    "$QUARRY" index --corpus "$CORPUS" --index "$INDEX" >/dev/null 2>&1 &
    CHILD=$!
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    kill -9 "$CHILD" 2>/dev/null || true
    rc=0
    wait "$CHILD" 2>/dev/null || rc=$?
    CHILD=""
    case $rc in
    137) KILLED=$((KILLED + 1)) ;;
    0) FINISHED=$((FINISHED + 1)) ;;
    *) fail "$i" "index exited $rc before the kill after $delay ms" ;;
    esac

    # Killed before the index was created: nothing to check yet (a search
    # would build the index itself).
    if [[ -f $INDEX/meta.json ]]; then
        rc=0
        "$QUARRY" verify --index "$INDEX" >"$LOG" 2>&1 || rc=$?
        ((rc == 0)) || fail "$i" "verify exited $rc after a kill at $delay ms"
        rc=0
        "$QUARRY" search --corpus "$CORPUS" --index "$INDEX" --color never granite \
            >/dev/null 2>"$LOG" || rc=$?
        ((rc <= 1)) || fail "$i" "search exited $rc after a kill at $delay ms"
    fi

    rc=0
    "$QUARRY" index --corpus "$CORPUS" --index "$INDEX" >/dev/null 2>"$LOG" || rc=$?
    ((rc == 0)) || fail "$i" "index after a kill at $delay ms exited $rc"
    if ((i % 10 == 0)); then
        echo "kill-loop: $i/$ITERATIONS iterations, $FAILURES failures" >&2
    fi
done

# The final state must equal a fresh index of the same corpus.
rc=0
"$QUARRY" status --corpus "$CORPUS" --index "$INDEX" >"$LOG" 2>&1 || rc=$?
counts=$(tail -n 1 "$LOG")
if ((rc != 0)) || ! [[ $counts =~ ^0\ added,\ 0\ modified,\ 0\ deleted, ]]; then
    fail end "status after the loop (exit $rc): $counts"
fi

verify_counts() { # index -> "files passages"
    local json
    json=$("$QUARRY" verify --index "$1" --format json 2>"$LOG") || return 1
    [[ $json =~ \"files\":([0-9]+),\"passages\":([0-9]+) ]] || return 1
    echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
}

"$QUARRY" index --corpus "$CORPUS" --index "$WORK/reference" >/dev/null 2>"$LOG" ||
    fail end "the reference index failed"
final=$(verify_counts "$INDEX") || final="verify failed"
reference=$(verify_counts "$WORK/reference") || reference="verify failed"
if [[ $final != "$reference" ]]; then
    fail end "files and passages: $final, reference: $reference"
fi

if ((KILLED * 2 < ITERATIONS)); then
    echo "kill-loop: warning: only $KILLED of $ITERATIONS runs were killed mid-run;" \
        "raise FILES or CHANGE_PCT, or lower MAX_MS" >&2
fi
status=ok
((FAILURES == 0)) || status=FAILED
echo "kill-loop: $status: $ITERATIONS iterations on $FILES files (seed $SEED):" \
    "$KILLED killed mid-run, $FINISHED finished before the kill," \
    "$FAILURES failures; final files/passages $final, reference $reference"
((FAILURES == 0))
