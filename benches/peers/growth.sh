#!/usr/bin/env bash
# Growth benchmark (issue 18): wall time and peak memory of `place` as the
# district grows, zoned and min-distance, one run each. Run by hand, not in
# CI: the largest size takes minutes and several GB.
#
#   benches/peers/growth.sh [SIZE ...]     # sizes: 1m 3m 17m (default: 1m 3m)
#
# Environment: SUNSHINE (the binary; default target/release/sunshine),
# DATA (where the datasets are generated if missing; default
# /tmp/sunshine-growth), OUT (scratch output folder; removed after each run),
# MECHANISMS (default "zoned min-distance").
set -euo pipefail

SUNSHINE=${SUNSHINE:-target/release/sunshine}
DATA=${DATA:-/tmp/sunshine-growth}
OUT=${OUT:-$DATA/out}
MECHANISMS=${MECHANISMS:-"zoned min-distance"}
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(1m 3m)

students() { case $1 in 1m) echo 1000000;; 3m) echo 3000000;; 17m) echo 17000000;; *) echo "unknown size $1" >&2; exit 2;; esac; }
schools() { case $1 in 1m) echo 2000;; 3m) echo 6000;; 17m) echo 100000;; esac; }

[ -x "$SUNSHINE" ] || { echo "no $SUNSHINE: cargo build --release first" >&2; exit 2; }
mkdir -p "$DATA"
rows=()
for size in "${SIZES[@]}"; do
    n=$(students "$size")
    dir="$DATA/l$size"
    if [ ! -f "$dir/scenario.toml" ]; then
        echo "generating $dir ($n applicants, $(schools "$size") schools)" >&2
        "$SUNSHINE" --quiet generate large --students "$n" --schools "$(schools "$size")" --out "$dir"
    fi
    for mech in $MECHANISMS; do
        rm -rf "$OUT"
        log=$(mktemp)
        /usr/bin/time -v "$SUNSHINE" --quiet place "$dir/scenario.toml" --mechanism "$mech" --out "$OUT" 2>"$log" >/dev/null \
            || { echo "place $size $mech failed:" >&2; cat "$log" >&2; exit 1; }
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" \
            | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
        rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
        rm -f "$log"
        rows+=("$(awk -v s="$size" -v m="$mech" -v n="$n" -v w="$wall" -v r="$rss" \
            'BEGIN { printf "%-5s %-13s %10d %9.1f %9.2f %10.2f", s, m, n, w, r/1048576, w*1e6/n }')")
        rm -rf "$OUT"
    done
done
printf '%-5s %-13s %10s %9s %9s %10s\n' size mechanism applicants "wall s" "peak GB" "µs/appl."
printf '%s\n' "${rows[@]}"
