#!/usr/bin/env python3
"""Generates a synthetic cluster of a given shape for the scale benchmark.

usage: gen_shapes.py OUT_DIR --objects N --per-namespace M [--policies-per-namespace P]

N objects in namespaces of about M objects each. Every namespace has a Namespace object
(labels team and env), a ResourceQuota, applications of four objects (a workload of a random
kind, its Service, ConfigMap and ServiceAccount, as bench/gen_corpus.py writes them), and P
NetworkPolicies (default: one per 32 objects, at least 3): a default deny for both
directions, DNS egress to kube-system through a namespaceSelector, and allow policies that
select real applications by label, admitting other applications of the namespace and the
ingress namespace (namespaceSelector plus podSelector in one peer), on named and numbered
ports, with ipBlock egress that excepts the metadata endpoint. Ten objects per file.

Two shapes matter: many small namespaces (M = 100) and few large ones (M = 10,000, hundreds
of policies each). Deterministic for given arguments.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_corpus import KINDS, configmap, service, service_account, workload  # noqa: E402


def namespace(ns, team):
    return f"""apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
  labels:
    team: {team}
    env: prod
    pod-security.kubernetes.io/enforce: baseline
"""


def quota(ns):
    return f"""apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
  namespace: {ns}
spec:
  hard:
    requests.cpu: "200"
    requests.memory: 400Gi
"""


def policy(ns, name, spec):
    return f"""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {name}
  namespace: {ns}
spec:
{spec}"""


def fixed_policies(ns):
    return [
        policy(ns, "default-deny", "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n"),
        policy(
            ns,
            "allow-dns",
            """  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
      ports:
        - {protocol: UDP, port: 53}
        - {protocol: TCP, port: 53}
""",
        ),
    ]


def allow_policy(rng, ns, name, target, peer):
    return policy(
        ns,
        name,
        f"""  podSelector:
    matchLabels:
      app.kubernetes.io/name: {target}
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: {peer}
        - namespaceSelector:
            matchLabels:
              team: ingress
          podSelector:
            matchExpressions:
              - {{key: app.kubernetes.io/name, operator: Exists}}
      ports:
        - port: http
        - {{port: {rng.choice([8080, 9090])}, endPort: {rng.choice([8090, 9100])}}}
  egress:
    - to:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: {peer}
    - to:
        - ipBlock:
            cidr: 10.0.0.0/8
            except: [10.1.0.0/16]
        - ipBlock:
            cidr: 0.0.0.0/0
            except: [169.254.169.254/32]
      ports:
        - {{port: 443}}
""",
    )


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    out = args[0]
    opts = dict(zip(args[1::2], args[2::2]))
    objects = int(opts.get("--objects", 100_000))
    per_ns = int(opts.get("--per-namespace", 100))
    rng = random.Random(11)
    os.makedirs(out, exist_ok=True)
    docs = []
    made = 0
    n_ns = 0
    while made < objects:
        ns = f"ns-{n_ns}"
        team = "ingress" if n_ns % 10 == 0 else f"team-{n_ns % 7}"
        size = min(per_ns, objects - made)
        n_pol = int(opts.get("--policies-per-namespace", max(3, size // 32)))
        apps = [f"app-{n_ns}-{i}" for i in range(max(1, (size - 2 - n_pol) // 4))]
        mine = [namespace(ns, team), quota(ns)] + fixed_policies(ns)
        for i in range(max(0, n_pol - 2)):
            # Most policies select a real application; one in ten is a typo selecting nothing.
            target = rng.choice(apps) if i % 10 else f"{rng.choice(apps)}-old"
            mine.append(allow_policy(rng, ns, f"allow-{i}", target, rng.choice(apps)))
        for app in apps:
            if len(mine) >= size:
                break
            group = [workload(rng, rng.choice(KINDS), app, ns, rng.random() < 0.35), service(app, ns), configmap(rng, app, ns), service_account(app, ns)]
            mine.extend(group[: size - len(mine)])
        docs.extend(mine)
        made += len(mine)
        n_ns += 1
    for i in range(0, len(docs), 10):
        sub = os.path.join(out, f"{i // 10000:03d}")
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, f"part-{i // 10:05d}.yaml"), "w") as f:
            f.write("---\n".join(docs[i : i + 10]))
    print(f"{made} objects in {n_ns} namespaces, {(len(docs) + 9) // 10} files under {out}")


if __name__ == "__main__":
    main()
