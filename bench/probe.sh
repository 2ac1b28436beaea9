#!/usr/bin/env bash
# The exposure probe's benchmark and its side-by-side with kube-hunter, in one run:
#  1. `palisade probe 127.0.0.1` over every default port, with a real open etcd (2379/2380,
#     v2 on) and a careless stand-in kubelet (10250 anonymous, 10255 read-only:
#     bench/standin_kubelet.py) running — and a /24 of closed loopback ports;
#  2. kube-hunter (PyPI, in a throwaway virtualenv) against the same 127.0.0.1, timed,
#     its findings printed next to Palisade's, and a check that Palisade reports something
#     at every endpoint where kube-hunter reports something.
# Needs etcd (Debian's etcd-server), openssl and the ports above free on loopback.
#
#   RUNS=5 bench/probe.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
OUT=bench/out/probe
mkdir -p "$OUT"
cargo build --release -q --bin palisade
PALISADE=target/release/palisade
command -v etcd >/dev/null || { echo "needs etcd (apt-get install etcd-server)" >&2; exit 2; }
for port in 2379 2380 10250 10255; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is taken on 127.0.0.1; free it first" >&2; exit 2; fi
done
VENV=${KUBE_HUNTER_VENV:-$OUT/venv}
[ -x "$VENV/bin/kube-hunter" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q kube-hunter; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
rm -rf "$OUT/etcd"
etcd --name bench --data-dir "$OUT/etcd" --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 --initial-cluster bench=http://127.0.0.1:2380 \
  --enable-v2=true --log-level error > "$OUT/etcd.log" 2>&1 &
pids+=($!)
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=node-1 -keyout "$OUT/kubelet.key" -out "$OUT/kubelet.crt" 2>/dev/null
python3 bench/standin_kubelet.py "$OUT/kubelet.crt" "$OUT/kubelet.key" > "$OUT/kubelet.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -sf http://127.0.0.1:2379/version >/dev/null 2>&1 && grep -q ready "$OUT/kubelet.log" && break
  sleep 0.1
done
b64() { printf '%s' "$1" | base64 -w0; }
for key in /registry/secrets/shop/db /registry/secrets/shop/api /registry/pods/shop/web; do
  curl -sf -X POST http://127.0.0.1:2379/v3/kv/put -d "{\"key\":\"$(b64 "$key")\",\"value\":\"$(b64 not-for-printing)\"}" >/dev/null
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# time_it CMD... : the median wall time of $RUNS runs, in seconds.
time_it() {
  for _ in $(seq "$RUNS"); do
    s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
    echo "$e - $s" | bc -l
  done | median
}

"$PALISADE" probe 127.0.0.1 --format json -o "$OUT/palisade.json" -q || true
"$VENV/bin/kube-hunter" --remote 127.0.0.1 --report json --log none > "$OUT/kube-hunter.json" 2>/dev/null || true
p_host=$(time_it "$PALISADE" probe 127.0.0.1 --format json -q)
p_range=$(time_it "$PALISADE" probe 127.0.1.0/24 --format json -q)
k_host=$(time_it "$VENV/bin/kube-hunter" --remote 127.0.0.1 --report json --log none)

python3 - "$OUT/palisade.json" "$OUT/kube-hunter.json" "$p_host" "$k_host" "$p_range" <<'PY'
import json, sys
palisade = json.load(open(sys.argv[1]))
try:
    hunter = json.load(open(sys.argv[2]))
except ValueError:
    hunter = {"vulnerabilities": []}
p_host, k_host, p_range = map(float, sys.argv[3:6])
print("kube-hunter --remote 127.0.0.1:")
for v in hunter.get("vulnerabilities", []):
    print(f"  {v.get('location', ''):<18} {v.get('severity', ''):<7} {v.get('vulnerability', '')}: {str(v.get('evidence', ''))[:60]}")
print("palisade probe 127.0.0.1:")
for f in palisade["findings"]:
    print(f"  {f['object']['name']:<18} {f['severity']:<8} {f['rule']} {f['message'].split(': ', 1)[-1][:90]}")
ports = lambda names: {n.rsplit(':', 1)[-1] for n in names}
theirs = ports(v.get("location", "") for v in hunter.get("vulnerabilities", []))
ours = ports(f["object"]["name"] for f in palisade["findings"])
missing = sorted(theirs - ours)
print(f"\nendpoints with findings: kube-hunter {sorted(theirs)}, Palisade {sorted(ours)}")
print("Palisade reports at every endpoint kube-hunter reports: " + ("yes" if not missing else f"NO, missing {missing}"))
print(f"findings: kube-hunter {len(hunter.get('vulnerabilities', []))}, Palisade {len(palisade['findings'])}")
print(f"wall time, 127.0.0.1 (all default ports): Palisade {p_host:.2f} s, kube-hunter {k_host:.2f} s ({k_host / p_host:.1f}x)")
print(f"wall time, Palisade over 127.0.1.0/24 (254 hosts x 13 ports, closed): {p_range:.2f} s")
PY
