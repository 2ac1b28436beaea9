#!/usr/bin/env bash
# The scale benchmark: the full catalogue (JSON report written) on generated clusters of two
# shapes — many small namespaces (100 objects each) and few large ones (10,000 objects and
# ~300 NetworkPolicies each) — at 10k, 50k, 100k and 200k objects; then, at 100k objects,
# PSS alone, the YAML parser alone (events only, every core), the other position-reporting
# parsers on crates.io (bench/parsers) and one incremental apply.
#
#   bench/scale.sh           RUNS=3 by default; the median is reported
#
# Prints the curve (objects, shape, wall, peak memory, microseconds per object) and writes it
# to bench/out/scale.tsv and bench/out/scale.svg (the plot in the README).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
cargo build --release -q -p palisade-source --example parse_events
cargo build --release -q -p palisade-rules --example apply_timing

SIZES=(10000 50000 100000 200000)
TSV="$OUT/scale.tsv"
printf 'objects\tshape\twall_s\tpeak_mb\tus_per_object\n' > "$TSV"
echo "== full catalogue, JSON report (median of $RUNS)" >&2
for per_ns in 100 10000; do
  shape=$([ "$per_ns" = 100 ] && echo "small-namespaces" || echo "large-namespaces")
  for n in "${SIZES[@]}"; do
    dir="$OUT/shape-$per_ns-$n"
    generate "$dir" python3 bench/gen_shapes.py "$dir" --objects "$n" --per-namespace "$per_ns" >/dev/null
    line=$( { measure "$shape, $n objects" "$PALISADE" scan "$dir" --format json -o /dev/null; } 2>&1 >/dev/null | tail -n 1)
    echo "$line" >&2
    wall=$(echo "$line" | awk '{print $(NF-3)}'); mb=$(echo "$line" | awk '{print $(NF-1)}')
    printf '%s\t%s\t%s\t%s\t%.1f\n' "$n" "$shape" "$wall" "$mb" "$(awk -v w="$wall" -v n="$n" 'BEGIN {print w * 1e6 / n}')" >> "$TSV"
  done
done

echo "== at 100,000 objects" >&2
for per_ns in 100 10000; do
  dir="$OUT/shape-$per_ns-100000"
  pss=$(measure "PSS alone, $per_ns objects per namespace" "$PALISADE" scan "$dir" --framework pss-restricted --format json -o /dev/null)
  full=$(awk -F'\t' -v p="$per_ns" '$1 == 100000 && (($2 == "small-namespaces") == (p == 100)) {print $3}' "$TSV")
  parse=$(measure "YAML events only, $per_ns objects per namespace" target/release/examples/parse_events "$dir")
  awk -v f="$full" -v p="$pss" -v y="$parse" -v s="$per_ns" 'BEGIN {printf "%s objects/namespace: full catalogue %.2fx PSS alone (target <= 2x); PSS %.2fx the parser alone (target <= 1.5x)\n", s, f / p, p / y}'
  target/release/examples/apply_timing "$dir" 50 | sed "s/^/$per_ns objects\/namespace: /"
done

echo "== position-reporting YAML parsers on crates.io, events only, 100,000 objects (bench/parsers)" >&2
cargo build --release -q --manifest-path bench/parsers/Cargo.toml
bench/parsers/target/release/palisade-parser-bench "$OUT/shape-10000-100000"

echo "== per-object cost, 10k -> 200k (target: flat within 1.5x)" >&2
awk -F'\t' 'NR > 1 {if (!($2 in lo) || $5 < lo[$2]) lo[$2] = $5; if ($5 > hi[$2]) hi[$2] = $5}
  END {for (s in lo) printf "%s: %.1f-%.1f us/object, spread %.2fx\n", s, lo[s], hi[s], hi[s] / lo[s]}' "$TSV"
python3 bench/plot_scale.py "$TSV" "$OUT/scale.svg"
echo "curve: $TSV, plot: $OUT/scale.svg" >&2
