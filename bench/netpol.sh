#!/usr/bin/env bash
# NetworkPolicy benchmark: the full connectivity matrix of a generated cluster of 5,000
# workloads and 2,000 NetworkPolicies in 100 namespaces (target: under 5 s).
#
#   bench/netpol.sh           generate (once), then measure
#   RUNS=5 bench/netpol.sh    more repetitions (the median is reported)
#
# No peer is measured: no NetworkPolicy analyser installs from PyPI, Debian or npm here
# (the known ones, such as netpol-analyzer, are Go programs from GitHub).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
generate "$OUT/netpol" python3 bench/gen_netpol.py "$OUT/netpol" --workloads 5000 --policies 2000 --namespaces 100
computes=()
for _ in $(seq "$RUNS"); do
  line=$("$PALISADE" netpol matrix -f "$OUT/netpol" --format csv --timings 2>&1 >/dev/null | grep '^timings:')
  computes+=("$(echo "$line" | sed -E 's/.*pairs in ([0-9.]+) ms.*/\1/')")
done
p_all=$(measure "palisade netpol matrix, 5,000 workloads, 2,000 policies" "$PALISADE" netpol matrix -f "$OUT/netpol" --format csv)
printf 'matrix computation alone (median):  %8.1f ms\n' "$(printf '%s\n' "${computes[@]}" | median)"
awk -v p="$p_all" 'BEGIN {printf "full matrix, wall (median):          %.2f s (target < 5 s)\n", p}'
