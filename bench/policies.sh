#!/usr/bin/env bash
# User policies at scale: the 21 policies of bench/policies/ (7 Gatekeeper templates in Rego,
# 4 in CEL, 10 ValidatingAdmissionPolicies) over the generated corpus of 100,000 objects
# (bench/gen_corpus.py, as bench/run.sh makes it), all together, then one at a time; a
# policy's cost is its run less a run that reads the corpus and judges nothing but one
# built-in rule. Goals: the whole set under 20 s, every policy under 1 s.
#
#   bench/policies.sh          RUNS=3 by default
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
generate "$OUT/corpus" python3 bench/gen_corpus.py "$OUT/corpus" --objects 100000 --per-file 10
POLICIES=bench/policies
SCAN=("$PALISADE" scan "$OUT/corpus" --no-config --policies "$POLICIES" --format json -o /dev/null)
# The policies must load (exit 2 would mean they did not; 1 is findings).
"${SCAN[@]}" --select gatekeeper:,vap: || [ $? -eq 1 ]
echo "== 100,000 objects, $(ls "$POLICIES" | wc -l) policy files; wall time (median of $RUNS) and peak memory" >&2
base=$(measure "reading the corpus (one built-in rule, POD001)" "${SCAN[@]}" --select POD001)
all=$(measure "every user policy" "${SCAN[@]}" --select gatekeeper:,vap:)
catalogue=$(measure "every user policy and the whole catalogue" "${SCAN[@]}")
echo "== cost of each policy (its run less the reading run)" >&2
worst=0
for f in "$POLICIES"/*.yaml; do
  id=$(awk '/^kind: ValidatingAdmissionPolicy$/ {v=1} v && /^  name:/ {print "vap:" $2; exit} /^kind: Bench/ {k=$2} k && /^  name:/ {print "gatekeeper:" k "/" $2; exit}' "$f")
  t=$(measure "$id" "${SCAN[@]}" --select "$id")
  cost=$(awk -v t="$t" -v b="$base" 'BEGIN {c = t - b; printf "%.2f", (c > 0 ? c : 0)}')
  printf '  %-44s %6s s\n' "$id" "$cost"
  worst=$(awk -v a="$worst" -v b="$cost" 'BEGIN {print (b > a ? b : a)}')
done
awk -v a="$all" -v b="$base" -v w="$worst" 'BEGIN {printf "whole set: %.2f s (%.2f s beyond reading; goal < 20 s); costliest policy: %.2f s (goal < 1 s)\n", a, a - b, w}'
