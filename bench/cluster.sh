#!/usr/bin/env bash
# The live-cluster benchmark: generated clusters of 10k, 50k and 100k objects (many small
# namespaces, bench/gen_shapes.py) served by the test API server (palisade-testserver, TLS,
# pages of 500), scanned with `palisade cluster --format json`; beside it, `palisade scan`
# of the same objects as files, in the same run. No peer that scans a live cluster installs
# here (kubescape, Trivy and kube-bench need their own downloads), so the ratio printed is
# against Palisade's own file scan.
#
#   RUNS=3 bench/cluster.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
cargo build --release -q -p palisade-testserver
SERVER=target/release/palisade-testserver
TSV="$OUT/cluster.tsv"
printf 'objects\tcluster_s\tcluster_mb\tfiles_s\n' > "$TSV"
for n in 10000 50000 100000; do
  dir="$OUT/shape-100-$n"
  generate "$dir" python3 bench/gen_shapes.py "$dir" --objects "$n" --per-namespace 100 >/dev/null
  kubeconfig="$OUT/cluster-$n.kubeconfig"
  "$SERVER" "$dir" --kubeconfig "$kubeconfig" > "$OUT/cluster-$n.url" 2> "$OUT/cluster-$n.log" &
  pid=$!
  for _ in $(seq 600); do [ -s "$OUT/cluster-$n.url" ] && break; sleep 0.1; done
  live=$( { measure "cluster scan, $n objects" "$PALISADE" cluster --kubeconfig "$kubeconfig" --format json -o /dev/null; } 2>&1 >/dev/null | tail -n 1)
  echo "$live" >&2
  files=$(measure "file scan of the same objects" "$PALISADE" scan "$dir" --format json -o /dev/null)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  wall=$(echo "$live" | awk '{print $(NF-3)}'); mb=$(echo "$live" | awk '{print $(NF-1)}')
  printf '%s\t%s\t%s\t%s\n' "$n" "$wall" "$mb" "$files" >> "$TSV"
  awk -v c="$wall" -v f="$files" -v m="$mb" -v n="$n" 'BEGIN {printf "%d objects: cluster %.2f s (%.1f us/object), %d MB; %.2fx the file scan\n", n, c, c * 1e6 / n, m, c / f}'
done
echo "curve: $TSV (targets at 50,000 objects: under 10 s, under 300 MB)" >&2
