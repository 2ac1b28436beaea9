#!/usr/bin/env python3
"""Generates a synthetic RBAC configuration for benchmarks.

usage: gen_rbac.py OUT_DIR [--roles N] [--bindings M] [--per-file K]

N roles (a tenth ClusterRoles, the rest Roles spread over 500 namespaces) with 1-6 rules
each, drawn from realistic grants (readers, deployers, operators, a few risky ones with
secrets, wildcards, escalation), and M bindings (RoleBindings in the roles' namespaces, some
to ClusterRoles, a tenth ClusterRoleBindings) to users, groups and ServiceAccounts. Written
K objects per file, in block style. Deterministic for given arguments.
"""
import os
import random
import sys

RULES = [
    ('[""]', '["pods", "services", "configmaps"]', '["get", "list", "watch"]', None),
    ('["apps"]', '["deployments", "replicasets"]', '["get", "list", "watch", "update", "patch"]', None),
    ('["apps"]', '["deployments"]', '["create", "delete"]', None),
    ('["batch"]', '["jobs", "cronjobs"]', '["get", "list", "create"]', None),
    ('[""]', '["secrets"]', '["get"]', '["app-config"]'),
    ('[""]', '["secrets"]', '["get", "list", "watch"]', None),
    ('[""]', '["pods/log"]', '["get"]', None),
    ('[""]', '["pods/exec"]', '["create"]', None),
    ('["networking.k8s.io"]', '["ingresses", "networkpolicies"]', '["get", "list"]', None),
    ('["*"]', '["*"]', '["get", "list"]', None),
    ('["rbac.authorization.k8s.io"]', '["rolebindings"]', '["create", "bind"]', None),
    ('["*"]', '["*/scale"]', '["update"]', None),
]


def rule(rng):
    groups, resources, verbs, names = rng.choice(RULES)
    text = f"  - apiGroups: {groups}\n    resources: {resources}\n    verbs: {verbs}\n"
    if names:
        text += f"    resourceNames: {names}\n"
    return text


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    out = args[0]
    opts = dict(zip(args[1::2], args[2::2]))
    n_roles = int(opts.get("--roles", 10000))
    n_bindings = int(opts.get("--bindings", 50000))
    per_file = int(opts.get("--per-file", 500))
    rng = random.Random(42)
    os.makedirs(out, exist_ok=True)
    docs = []
    roles = []
    for i in range(n_roles):
        rules = "".join(rule(rng) for _ in range(rng.randint(1, 6)))
        if i % 10 == 0:
            name = f"cluster-role-{i}"
            roles.append((None, name))
            docs.append(f"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: {name}\nrules:\n{rules}")
        else:
            ns = f"ns-{i % 500}"
            name = f"role-{i}"
            roles.append((ns, name))
            docs.append(f"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: {name}\n  namespace: {ns}\nrules:\n{rules}")
    cluster_roles = [r for r in roles if r[0] is None]
    for i in range(n_bindings):
        kind = rng.choice(["User", "Group", "ServiceAccount", "ServiceAccount"])
        subject_ns = f"ns-{rng.randrange(500)}"
        subject = {
            "User": f"    - kind: User\n      name: user-{rng.randrange(5000)}\n",
            "Group": f"    - kind: Group\n      name: group-{rng.randrange(300)}\n",
            "ServiceAccount": f"    - kind: ServiceAccount\n      name: sa-{rng.randrange(50)}\n      namespace: {subject_ns}\n",
        }[kind]
        if i % 10 == 0:
            _, role = rng.choice(cluster_roles)
            docs.append(
                f"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: crb-{i}\n"
                f"roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: {role}\nsubjects:\n{subject}"
            )
        else:
            ns, role = rng.choice(roles)
            kind_ref = "ClusterRole" if ns is None else "Role"
            ns = ns or f"ns-{rng.randrange(500)}"
            docs.append(
                f"apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb-{i}\n  namespace: {ns}\n"
                f"roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: {kind_ref}\n  name: {role}\nsubjects:\n{subject}"
            )
    for f in range(0, len(docs), per_file):
        with open(os.path.join(out, f"rbac-{f // per_file:04}.yaml"), "w") as fh:
            fh.write("---\n".join(docs[f:f + per_file]))


if __name__ == "__main__":
    main()
