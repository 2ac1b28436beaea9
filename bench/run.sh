#!/usr/bin/env bash
# Palisade's benchmark: Palisade and a peer (checkov's Kubernetes framework) measured in the
# same run, on the same inputs, with the ratio printed.
#
#   bench/run.sh            generate the 100,000-object corpus (once), then measure
#   RUNS=5 bench/run.sh     more repetitions (the median is reported)
#
# Inputs: ../shared/corpus/real-world/ (47 real manifest files), a generated corpus of
# 100,000 objects in 10,000 files (bench/gen_corpus.py), and a 2,000-file slice of it.
# checkov is installed from PyPI into bench/.venv (a throwaway virtualenv).
set -euo pipefail
cd "$(dirname "$0")/.."
REAL=../shared/corpus/real-world

. bench/common.sh
need_checkov

generate "$OUT/corpus" python3 bench/gen_corpus.py "$OUT/corpus" --objects 100000 --per-file 10
if [ ! -d "$OUT/slice" ]; then
  mkdir -p "$OUT/slice"
  find "$OUT/corpus" -name '*.yaml' | sort | awk 'NR <= 2000' | while read -r f; do cp "$f" "$OUT/slice/"; done
fi

# Both tools exit non-zero when they find something; that is not a failure here.
CHECKOV_ARGS=(--quiet --compact --framework kubernetes -o json)

echo "== objects" >&2
echo "generated corpus: $(find "$OUT/corpus" -name '*.yaml' | wc -l) files, $(cat "$OUT"/corpus/*/*.yaml | wc -c) bytes" >&2
echo "real-world corpus: $(ls "$REAL" | wc -l) files, $(cat "$REAL"/* | wc -c) bytes" >&2
echo "== wall time (median of $RUNS) and peak memory" >&2
p_pss=$(measure "palisade PSS only, 100,000 objects" "$PALISADE" scan "$OUT/corpus" --framework pss-restricted --format json -o /dev/null)
p_big=$(measure "palisade full catalogue, 100,000 objects" "$PALISADE" scan "$OUT/corpus" --format json -o /dev/null)
p_real=$(measure "palisade, real-world corpus" "$PALISADE" scan "$REAL" --format json -o /dev/null)
p_slice=$(measure "palisade, 2,000-file slice (20,000 objects)" "$PALISADE" scan "$OUT/slice" --format json -o /dev/null)
c_real=$(RUNS=1 measure "checkov, real-world corpus" "$CHECKOV" "${CHECKOV_ARGS[@]}" -d "$REAL")
c_slice=$(RUNS=1 measure "checkov, 2,000-file slice (20,000 objects)" "$CHECKOV" "${CHECKOV_ARGS[@]}" -d "$OUT/slice")

echo "== ratios (checkov time / palisade time)" >&2
awk -v c="$c_real" -v p="$p_real" 'BEGIN {printf "real-world corpus:     %.0fx faster\n", c / (p > 0.005 ? p : 0.005)}'
awk -v c="$c_slice" -v p="$p_slice" 'BEGIN {printf "2,000-file slice:      %.0fx faster\n", c / (p > 0.005 ? p : 0.005)}'
awk -v p="$p_pss" 'BEGIN {printf "100,000 objects, PSS:  %.2f s (target < 2 s)\n", p}'
awk -v a="$p_big" -v p="$p_pss" 'BEGIN {printf "full catalogue / PSS:  %.2fx (target <= 2x)\n", a / p}'
