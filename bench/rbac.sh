#!/usr/bin/env bash
# RBAC benchmark: a generated configuration of 10,000 roles and 50,000 bindings.
#
#   bench/rbac.sh           generate (once), then measure
#   RUNS=5 bench/rbac.sh    more repetitions (the median is reported)
#
# Measures `palisade rbac who-can` (load time and, separately, the time to answer once
# loaded; target < 50 ms) and `palisade rbac risks` (the full RBAC risk analysis; target
# < 2 s), and, in the same run, checkov's Kubernetes framework (its RBAC checks run on the
# same objects) on a tenth of the set, against Palisade on that same tenth, with the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
need_checkov

[ -f "$OUT/rbac/.complete" ] || rm -rf "$OUT/rbac-slice"
generate "$OUT/rbac" python3 bench/gen_rbac.py "$OUT/rbac" --roles 10000 --bindings 50000 --per-file 500
if [ ! -d "$OUT/rbac-slice" ]; then
  mkdir -p "$OUT/rbac-slice"
  find "$OUT/rbac" -name '*.yaml' | sort | awk 'NR % 10 == 1' | while read -r f; do cp "$f" "$OUT/rbac-slice/"; done
fi

echo "== RBAC set: $(cat "$OUT"/rbac/*.yaml | grep -c '^kind: ') objects in $(ls "$OUT/rbac" | wc -l) files" >&2
answers=() loads=()
for _ in $(seq "$RUNS"); do
  line=$("$PALISADE" rbac who-can get secrets -n ns-7 -f "$OUT/rbac" --format json --timings 2>&1 >/dev/null | grep '^timings:')
  loads+=("$(echo "$line" | sed -E 's/.* in ([0-9.]+) ms;.*/\1/')")
  answers+=("$(echo "$line" | sed -E 's/.*answered in ([0-9.]+) ms.*/\1/')")
done
printf 'who-can, loading (median of %s):                     %8.1f ms\n' "$RUNS" "$(printf '%s\n' "${loads[@]}" | median)"
printf 'who-can, answering once loaded (median):            %8.3f ms (target < 50 ms)\n' "$(printf '%s\n' "${answers[@]}" | median)"
p_risks=$(measure "palisade rbac risks, 60,000 objects" "$PALISADE" rbac risks -f "$OUT/rbac" --format json -o /dev/null)
p_slice=$(measure "palisade rbac risks, a tenth (6,000 objects)" "$PALISADE" rbac risks -f "$OUT/rbac-slice" --format json -o /dev/null)
c_slice=$(RUNS=1 measure "checkov (kubernetes), the same tenth" "$CHECKOV" --quiet --compact --framework kubernetes -o json -d "$OUT/rbac-slice")
awk -v p="$p_risks" 'BEGIN {printf "risk analysis, 60,000 objects: %.2f s (target < 2 s)\n", p}'
awk -v c="$c_slice" -v p="$p_slice" 'BEGIN {printf "a tenth, checkov / palisade:   %.0fx faster\n", c / (p > 0.005 ? p : 0.005)}'
