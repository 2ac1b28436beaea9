#!/usr/bin/env python3
"""Generates a synthetic cluster of Kubernetes manifests for benchmarks.

usage: gen_corpus.py OUT_DIR [--objects N] [--per-file K]

Each file is one "app" of K objects (Deployments, StatefulSets, DaemonSets, CronJobs, Jobs,
Pods, Services, ConfigMaps, ServiceAccounts), in block style as kubectl and Helm write them.
About a third of the workloads are hardened, the rest carry the usual mistakes. The output
is deterministic for a given N and K.
"""
import os
import random
import sys

HARDENED_POD_SC = """      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile:
          type: RuntimeDefault
"""
HARDENED_C_SC = """          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
"""
RISKY_C_SC = [
    "          securityContext:\n            privileged: true\n",
    "          securityContext:\n            capabilities:\n              add: [\"NET_ADMIN\", \"SYS_TIME\"]\n",
    "          securityContext:\n            runAsUser: 0\n            allowPrivilegeEscalation: true\n",
    "",
]


def container(rng, name, hardened):
    sc = HARDENED_C_SC if hardened else rng.choice(RISKY_C_SC)
    port = rng.choice([80, 8080, 9090, 3000])
    host_port = "" if hardened or rng.random() > 0.1 else f"              hostPort: {port}\n"
    return f"""        - name: {name}
          image: registry.example.com/team-{rng.randint(1, 40)}/{name}:{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: {port}
{host_port}          env:
            - name: LOG_LEVEL
              value: info
            - name: POD_NAMESPACE
              valueFrom:
                fieldRef:
                  fieldPath: metadata.namespace
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: 500m
              memory: 256Mi
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
{sc}"""


def pod_spec(rng, app, hardened, indent):
    spec = ""
    if hardened:
        spec += HARDENED_POD_SC
    elif rng.random() < 0.15:
        spec += "      hostNetwork: true\n"
    spec += "      serviceAccountName: " + app + "\n      containers:\n"
    spec += container(rng, app, hardened)
    if rng.random() < 0.3:
        spec += container(rng, "sidecar", hardened)
    spec += "      volumes:\n        - name: config\n          configMap:\n            name: " + app + "\n"
    if not hardened and rng.random() < 0.1:
        spec += "        - name: host\n          hostPath:\n            path: /var/run\n"
    return "".join(indent + line[6:] + "\n" if line else "\n" for line in spec.rstrip("\n").split("\n"))


def workload(rng, kind, app, ns, hardened):
    labels = f"app.kubernetes.io/name: {app}\n"
    if kind == "CronJob":
        return f"""apiVersion: batch/v1
kind: CronJob
metadata:
  name: {app}
  namespace: {ns}
spec:
  schedule: "{rng.randint(0, 59)} {rng.randint(0, 23)} * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels:
            {labels}        spec:
          restartPolicy: OnFailure
{pod_spec(rng, app, hardened, "          ")}"""
    if kind == "Pod":
        return f"""apiVersion: v1
kind: Pod
metadata:
  name: {app}
  namespace: {ns}
  labels:
    {labels}spec:
{pod_spec(rng, app, hardened, "  ")}"""
    api = "batch/v1" if kind == "Job" else "apps/v1"
    replicas = "" if kind in ("DaemonSet", "Job") else f"  replicas: {rng.randint(1, 5)}\n"
    selector = "" if kind == "Job" else f"  selector:\n    matchLabels:\n      {labels}"
    return f"""apiVersion: {api}
kind: {kind}
metadata:
  name: {app}
  namespace: {ns}
  labels:
    {labels}spec:
{replicas}{selector}  template:
    metadata:
      labels:
        {labels}    spec:
{pod_spec(rng, app, hardened, "      ")}"""


def service(app, ns):
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {app}
  namespace: {ns}
spec:
  selector:
    app.kubernetes.io/name: {app}
  ports:
    - name: http
      port: 80
      targetPort: http
"""


def configmap(rng, app, ns):
    return f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {app}
  namespace: {ns}
data:
  config.yaml: |
    server:
      port: 8080
      timeout: {rng.randint(5, 60)}s
    features: [a, b, c]
"""


def service_account(app, ns):
    return f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: {app}
  namespace: {ns}
automountServiceAccountToken: false
"""


KINDS = ["Deployment"] * 6 + ["StatefulSet", "DaemonSet", "CronJob", "Job", "Pod"]


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    out = args[0]
    objects = int(args[args.index("--objects") + 1]) if "--objects" in args else 100_000
    per_file = int(args[args.index("--per-file") + 1]) if "--per-file" in args else 10
    rng = random.Random(42)
    os.makedirs(out, exist_ok=True)
    made = 0
    n = 0
    while made < objects:
        ns = f"team-{n % 40}"
        docs = []
        while len(docs) < per_file and made + len(docs) < objects:
            app = f"app-{n}-{len(docs)}"
            hardened = rng.random() < 0.35
            group = [workload(rng, rng.choice(KINDS), app, ns, hardened), service(app, ns), configmap(rng, app, ns), service_account(app, ns)]
            docs.extend(group[: per_file - len(docs)])
        sub = os.path.join(out, f"{n // 1000:03d}")
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, f"app-{n:05d}.yaml"), "w") as f:
            f.write("---\n".join(docs))
        made += len(docs)
        n += 1
    print(f"{made} objects in {n} files under {out}")


if __name__ == "__main__":
    main()
