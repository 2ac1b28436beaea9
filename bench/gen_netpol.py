#!/usr/bin/env python3
"""Generates a synthetic cluster for the NetworkPolicy benchmark.

usage: gen_netpol.py OUT_DIR [--workloads N] [--policies M] [--namespaces K]

K namespaces (labelled with a team and an environment), N Deployments spread over them
(labels app/tier/team, named container ports), and M NetworkPolicies: a default deny per
namespace, then allow-rules of the usual shapes — same-namespace tiers, namespaceSelector
plus podSelector peers, ipBlocks with except, named ports and port ranges, egress rules.
One namespace per file. Deterministic for given arguments.
"""
import os
import random
import sys

TIERS = ["web", "api", "db", "cache", "worker"]


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    out = args[0]
    opts = dict(zip(args[1::2], args[2::2]))
    n_work = int(opts.get("--workloads", 5000))
    n_pol = int(opts.get("--policies", 2000))
    n_ns = int(opts.get("--namespaces", 100))
    rng = random.Random(7)
    os.makedirs(out, exist_ok=True)
    docs = {f"ns-{i}": [] for i in range(n_ns)}
    for i in range(n_ns):
        docs[f"ns-{i}"].append(
            f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-{i}\n  labels:\n    team: team-{i % 10}\n    env: {'prod' if i % 3 else 'dev'}\n"
        )
    for w in range(n_work):
        ns = f"ns-{w % n_ns}"
        tier = TIERS[w % len(TIERS)]
        docs[ns].append(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{w}\n  namespace: {ns}\nspec:\n  template:\n"
            f"    metadata:\n      labels:\n        app: app-{w}\n        tier: {tier}\n        team: team-{w % 10}\n"
            f"    spec:\n      containers:\n        - name: main\n          image: registry.example.com/app:{w}\n"
            f"          ports:\n            - {{name: http, containerPort: 8080}}\n            - {{name: metrics, containerPort: 9090}}\n"
        )
    for p in range(n_pol):
        ns = f"ns-{p % n_ns}"
        shape = p // n_ns
        if shape == 0:
            spec = "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  egress:\n    - ports: [{protocol: UDP, port: 53}]\n"
        else:
            tier = TIERS[shape % len(TIERS)]
            src = TIERS[(shape + 1) % len(TIERS)]
            kind = rng.randrange(4)
            if kind == 0:
                rule = f"  ingress:\n    - from: [{{podSelector: {{matchLabels: {{tier: {src}}}}}}}]\n      ports: [{{port: http}}]\n"
            elif kind == 1:
                rule = (f"  ingress:\n    - from:\n        - namespaceSelector: {{matchLabels: {{team: team-{rng.randrange(10)}}}}}\n"
                        f"          podSelector: {{matchLabels: {{tier: {src}}}}}\n      ports: [{{port: 8000, endPort: 8100}}]\n")
            elif kind == 2:
                rule = (f"  ingress:\n    - from:\n        - namespaceSelector:\n            matchExpressions: [{{key: env, operator: In, values: [prod]}}]\n"
                        f"      ports: [{{port: metrics}}]\n")
            else:
                rule = (f"  policyTypes: [Egress]\n  egress:\n    - to: [{{ipBlock: {{cidr: 0.0.0.0/0, except: [169.254.169.254/32, 10.0.0.0/8]}}}}]\n"
                        f"      ports: [{{port: 443}}]\n    - to: [{{podSelector: {{matchLabels: {{tier: {src}}}}}}}]\n")
            spec = f"  podSelector:\n    matchLabels: {{tier: {tier}}}\n{rule}"
        docs[ns].append(f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: policy-{p}\n  namespace: {ns}\nspec:\n{spec}")
    for ns, items in docs.items():
        with open(os.path.join(out, f"{ns}.yaml"), "w") as fh:
            fh.write("---\n".join(items))


if __name__ == "__main__":
    main()
