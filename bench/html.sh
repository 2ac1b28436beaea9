#!/usr/bin/env bash
# The HTML report at scale: scans the generated corpus of 100,000 objects (bench/gen_corpus.py,
# as bench/run.sh makes it; about 270,000 findings) to one HTML page, then opens it in
# headless Chromium RUNS times and prints, from the page's own clock (performance.now() from
# navigation start, recorded when the first screen of findings is drawn), how long until it
# is usable; the median, and the time to write the page. No peer writes such a page
# offline to compare with (kubescape's and Popeye's HTML need the network for their assets).
#
# usage: RUNS=5 bench/html.sh
cd "$(dirname "$0")/.."
source bench/common.sh
command -v chromium >/dev/null || { echo "needs chromium (apt-get install chromium)" >&2; exit 2; }
generate "$OUT/corpus" python3 bench/gen_corpus.py "$OUT/corpus" --objects 100000 --per-file 10
page="$OUT/report.html"
echo "== 100,000 objects to one HTML page; wall time (median of $RUNS) and peak memory" >&2
# (exit 1: the corpus has findings, which is the point)
measure "scan and write the HTML page" bash -c "'$PALISADE' scan '$OUT/corpus' --no-config -q --format html -o '$page' || [ \$? = 1 ]" >/dev/null
findings=$(grep -o 'id="count"[^>]*>[0-9]*' "$page" | grep -o '[0-9]*$')
profile=$(mktemp -d /tmp/palisade-html-bench.XXXXXX)
trap 'rm -rf "$profile"' EXIT
for _ in $(seq "$RUNS"); do
  chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --user-data-dir="$profile" --dump-dom "file://$PWD/$page" 2>/dev/null | grep -o 'data-ready-ms="[0-9]*"' | grep -o '[0-9]*'
done | median | awk -v n="$findings" -v mb="$(du -m "$page" | cut -f1)" \
  '{printf "%d findings, a %d MB page: usable %.2f s after it starts to load (goal < 3 s)\n", n, mb, $1 / 1000}'
