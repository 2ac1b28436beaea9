#!/usr/bin/env bash
# The watch benchmark: a generated cluster of 50,000 objects (500 namespaces of 100,
# bench/gen_shapes.py) served by the test API server, `palisade watch` on it, then one
# Deployment changed at a time (CHANGES of them; its privileged flag flipped), each timed from
# the server taking the change to Palisade's JSON event line read back from its stdout
# (crates/palisade/examples/watch_latency.rs). Prints the initial list time, latency
# percentiles against the 10 ms goal, and the watch process's memory. No peer watches a
# cluster and judges changes this way here (kubescape's operator and Falco need a real
# cluster), so the figures are absolute.
#
#   CHANGES=300 bench/watch.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
cargo build --release -q -p palisade --example watch_latency
dir="$OUT/shape-100-50000"
generate "$dir" python3 bench/gen_shapes.py "$dir" --objects 50000 --per-namespace 100 >/dev/null
target/release/examples/watch_latency "$dir" --changes "${CHANGES:-300}" --palisade "$PALISADE"
