#!/usr/bin/env bash
# Audit-log throughput on one core: generates a busy cluster's audit log (bench/gen_audit.py,
# EVENTS events, ~0.9 KB each: reads, lease renewals, status patches and events at the
# Metadata level, with creates that carry their object, exec, Secret reads, token requests
# and Forbidden replies mixed in), then runs `palisade audit-log` pinned to CPU 0 with the
# full catalogue and the JSON report written, RUNS times, and prints events per second
# (median), peak memory, and the same for the events no audit rule can detect in alone and
# for the rest alone. Falco (the reference) is not packaged for Debian and cannot be
# installed here; its figures are quoted in the README.
#
# usage: EVENTS=500000 RUNS=5 bench/audit.sh
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${EVENTS:-500000}
RUNS=${RUNS:-5}
work=$(mktemp -d /tmp/palisade-audit-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cargo build --release -q -p palisade
bin=target/release/palisade
python3 bench/gen_audit.py "$EVENTS" "$work/audit.log"
# The two parts of the log: what `audit-log` passes by (nothing to detect in it) and the rest.
python3 - "$work" <<'PY'
import json, subprocess, sys
work = sys.argv[1]
passed, judged = open(f"{work}/quiet.log", "w"), open(f"{work}/judged.log", "w")
for line in open(f"{work}/audit.log"):
    e = json.loads(line)
    ref = e.get("objectRef", {})
    user = e["user"]["username"]
    machinery = user.startswith("system:node:") or user.startswith("system:serviceaccount:kube-system:")
    watched = ref.get("resource") in ("roles", "clusterroles", "rolebindings", "clusterrolebindings") \
        or ref.get("subresource") in ("exec", "attach", "portforward", "proxy") \
        or (ref.get("resource") == "secrets" or ref.get("subresource") == "token") and not machinery
    refused = e.get("responseStatus", {}).get("code", 200) >= 400
    anonymous = e["user"]["username"] == "system:anonymous"
    (judged if watched or refused or anonymous or "requestObject" in e else passed).write(line)
PY
measure() { # name file
  local lines; lines=$(wc -l < "$2")
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" taskset -c 0 "$bin" audit-log "$2" --format json -o /dev/null -q --no-config 2>&1 >/dev/null | tail -n 1 || true
  done | sort -n | awk -v n="$lines" -v name="$1" '{t[NR]=$1; m[NR]=$2} END {med=t[int((NR+1)/2)]; printf "%-34s %9d events  %6.2f s  %9.0f events/s  %4.0f MB peak\n", name, n, med, n/med, m[NR]/1024}'
}
echo "palisade audit-log, one core (taskset -c 0), median of $RUNS:"
measure "whole log" "$work/audit.log"
measure "passed by (nothing to detect)" "$work/quiet.log"
measure "judged (detections possible)" "$work/judged.log"
