#!/usr/bin/env bash
# The admission webhook under constant load: `palisade serve --admission` over TLS with
# keep-alive, driven at RATE requests/s for DURATION seconds by oha (crates.io's HTTP load
# generator, installed with `cargo install oha` if missing) in constant-rate mode with
# latency correction (latency counted from when each request was due, not when it could be
# sent, so a stalled server cannot hide its queue). The mix is realistic: 60% Pod creates
# that pass (two containers, probes, env, volumes) and 40% Deployment creates that are
# refused (one privileged container), each review ~3–4 KB, judged by the full catalogue.
# Prints p50, p99, p99.9 and the worst latency of each stream, errors, and the server's
# resident memory (peak, and at the start and the end of the load: flat or not).
# The load generator runs on the same 2 cores as the server.
#
# usage: RATE=5000 DURATION=30 bench/admission.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${RATE:-5000}
DURATION=${DURATION:-30}
CONNECTIONS=${CONNECTIONS:-16}
command -v oha >/dev/null || cargo install oha --locked
cargo build --release -q -p palisade
bin=$PWD/target/release/palisade
work=$(mktemp -d /tmp/palisade-admission-bench.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --admission "127.0.0.1:$port" --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" --no-config --no-cluster -q >/dev/null &
pid=$!
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
def container(name, privileged=False):
    return {
        "name": name, "image": f"registry.example.com/shop/{name}@sha256:" + "ab" * 32,
        "ports": [{"containerPort": 8080, "name": "http"}],
        "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "DB_HOST", "value": "db.shop.svc"},
                {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 5},
        "livenessProbe": {"httpGet": {"path": "/live", "port": 8080}, "periodSeconds": 10},
        "securityContext": {"privileged": True} if privileged else {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [{"name": "cache", "mountPath": "/cache"}, {"name": "config", "mountPath": "/etc/app", "readOnly": True}],
    }
def spec(privileged):
    return {"serviceAccountName": "web", "automountServiceAccountToken": False,
            "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [container("web"), container("sidecar", privileged)],
            "volumes": [{"name": "cache", "emptyDir": {}}, {"name": "config", "configMap": {"name": "web"}}]}
def review(kind, obj):
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": "0b5c1c4e-6f0e-4a8e-9d36-3f7a2b1c9e10", "kind": {"group": "apps" if kind == "Deployment" else "", "version": "v1", "kind": kind},
        "resource": {"group": "apps" if kind == "Deployment" else "", "version": "v1", "resource": kind.lower() + "s"},
        "namespace": "shop", "operation": "CREATE", "userInfo": {"username": "system:serviceaccount:ci:deployer", "groups": ["system:serviceaccounts"]},
        "object": obj, "oldObject": None, "dryRun": False, "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}}}
labels = {"app.kubernetes.io/name": "web", "app.kubernetes.io/part-of": "shop", "team": "checkout"}
pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-7d4b9c-x2x9q", "namespace": "shop", "labels": labels}, "spec": spec(False)}
deploy = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop", "labels": labels},
          "spec": {"replicas": 3, "selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": spec(True)}}}
json.dump(review("Pod", pod), open(f"{work}/pod.json", "w"))
json.dump(review("Deployment", deploy), open(f"{work}/deployment.json", "w"))
PY
for _ in $(seq 50); do curl -skf "https://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
url="https://127.0.0.1:$port/validate"
# A short warm-up, then memory sampled every second through the run.
oha -z 2s -q 500 -c 4 --no-tui --insecure -m POST -T application/json -D "$work/pod.json" "$url" >/dev/null
( while kill -0 "$pid" 2>/dev/null; do awk '/VmRSS/ {print $2}' "/proc/$pid/status"; sleep 1; done ) > "$work/rss" &
sampler=$!
run() { # rate body out
  oha -z "${DURATION}s" -q "$1" -c "$CONNECTIONS" --latency-correction --no-tui --insecure --output-format json \
    -m POST -T application/json -D "$2" "$url" > "$3"
}
run $((RATE * 6 / 10)) "$work/pod.json" "$work/pods.out" &
a=$!
run $((RATE * 4 / 10)) "$work/deployment.json" "$work/deployments.out" &
b=$!
wait "$a" "$b"
kill "$sampler" 2>/dev/null || true
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
curl -sk "https://127.0.0.1:$port/metrics" > "$work/metrics"
cpu=$(awk '{print ($14 + $15) / 100}' "/proc/$pid/stat")
python3 - "$work" "$RATE" "$DURATION" "$hwm" "$cpu" <<'PY'
import json, re, sys
work, rate, duration, hwm, cpu = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
print(f"palisade serve --admission, {rate} requests/s for {duration} s over TLS with keep-alive (oha, constant rate, latency-corrected):")
for name in ("pods", "deployments"):
    r = json.load(open(f"{work}/{name}.out"))
    s, p = r["summary"], r["latencyPercentiles"]
    errors = r.get("errorDistribution", {})
    codes = r.get("statusCodeDistribution", {})
    ms = lambda v: f"{v * 1000:.3f} ms"
    print(f"  {name:<12} {s['requestsPerSec']:7.0f} req/s  p50 {ms(p['p50'])}  p99 {ms(p['p99'])}  p99.9 {ms(p['p99.9'])}  max {ms(s['slowest'])}  "
          f"success {s['successRate'] * 100:.2f}%  status {codes}  errors {sum(errors.values())} {dict(errors) if errors else ''}")
# The server's own view: time from a body read to its answer (its histogram), and its CPU.
buckets = [(float(m.group(1)), int(m.group(2))) for m in re.finditer(r'palisade_admission_duration_seconds_bucket\{le="([0-9.e+-]+)"\} (\d+)', open(f"{work}/metrics").read())]
total = buckets[-1][1] if buckets else 0
def upper(q):
    return next((le for le, n in buckets if n >= q * total), float("inf"))
if total:
    print(f"  server side ({total} requests): p50 ≤ {upper(0.5) * 1000:.3f} ms, p99 ≤ {upper(0.99) * 1000:.3f} ms, p99.9 ≤ {upper(0.999) * 1000:.3f} ms (histogram bucket bounds); "
          f"CPU {cpu:.1f} s = {cpu / total * 1e6:.0f} µs a request")
rss = [int(l) for l in open(f"{work}/rss") if l.strip()]
if rss:
    k = max(1, min(5, len(rss) // 4))
    print(f"  server memory: peak {hwm / 1024:.1f} MB; resident {max(rss[:k]) / 1024:.1f} MB in the first {k} s of load, {max(rss[-k:]) / 1024:.1f} MB in the last {k} s")
PY
