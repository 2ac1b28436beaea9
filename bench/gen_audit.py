#!/usr/bin/env python3
"""Writes a synthetic kube-apiserver audit log (JSON lines, audit.k8s.io/v1) shaped like a
busy cluster's: the mix of a real API server's traffic at the Metadata level (controllers'
and kubelets' reads and watches, lease renewals, status patches, events), with a small share
of requests logged at RequestResponse level that carry a requestObject (pods, deployments,
bindings, configmaps), exec into pods, Secret reads, token requests, Forbidden replies and
anonymous health checks.

usage: gen_audit.py EVENTS OUT [SEED]
"""

import json
import random
import sys
import uuid

N = int(sys.argv[1])
OUT = sys.argv[2]
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)

NAMESPACES = [f"team-{i}" for i in range(40)] + ["kube-system", "default", "monitoring"]
NODES = [f"node-{i}" for i in range(30)]
CONTROLLERS = ["deployment-controller", "replicaset-controller", "endpointslice-controller",
               "generic-garbage-collector", "namespace-controller", "job-controller",
               "statefulset-controller", "daemon-set-controller", "horizontal-pod-autoscaler"]
READ_RESOURCES = [("", "v1", "pods"), ("", "v1", "configmaps"), ("", "v1", "services"),
                  ("", "v1", "endpoints"), ("apps", "v1", "deployments"), ("apps", "v1", "replicasets"),
                  ("", "v1", "nodes"), ("discovery.k8s.io", "v1", "endpointslices"),
                  ("", "v1", "serviceaccounts"), ("batch", "v1", "jobs")]


def ts(i):
    # One event every 100 µs of a day, rendered as the API server does.
    micros = i * 100
    s, us = divmod(micros, 1_000_000)
    return f"2026-11-30T{(s // 3600) % 24:02d}:{(s // 60) % 60:02d}:{s % 60:02d}.{us:06d}Z"


def base(i, verb, user, groups, uri, ref, code, level="Metadata", agent="kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46"):
    e = {
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": level,
        "auditID": str(uuid.UUID(int=rng.getrandbits(128))), "stage": "ResponseComplete",
        "requestURI": uri, "verb": verb,
        "user": {"username": user, "groups": groups},
        "sourceIPs": [f"10.0.{rng.randrange(256)}.{rng.randrange(1, 255)}"],
        "userAgent": agent,
    }
    if ref is not None:
        e["objectRef"] = ref
    e["responseStatus"] = {"metadata": {}, "code": code}
    if code >= 400:
        e["responseStatus"].update({"status": "Failure", "reason": "Forbidden" if code == 403 else "NotFound",
                                    "message": f"{ref.get('resource', '') if ref else ''} is forbidden: User \"{user}\" cannot {verb} resource"})
    e["requestReceivedTimestamp"] = ts(i)
    e["stageTimestamp"] = ts(i + 3)
    e["annotations"] = {"authorization.k8s.io/decision": "forbid" if code == 403 else "allow",
                        "authorization.k8s.io/reason": "" if code == 403 else "RBAC: allowed by ClusterRoleBinding \"system:controller\" of ClusterRole \"system:controller\""}
    return e


def path(group, version, resource, ns=None, name=None, sub=None):
    p = "/api/v1" if not group else f"/apis/{group}/{version}"
    if ns:
        p += f"/namespaces/{ns}"
    p += f"/{resource}"
    if name:
        p += f"/{name}"
    if sub:
        p += f"/{sub}"
    return p


def ref(group, version, resource, ns=None, name=None, sub=None):
    r = {"resource": resource}
    if ns:
        r["namespace"] = ns
    if name:
        r["name"] = name
    r["apiVersion"] = f"{group}/{version}" if group else version
    if group:
        r["apiGroup"] = group
    if sub:
        r["subresource"] = sub
    return r


def controller():
    c = rng.choice(CONTROLLERS)
    return f"system:serviceaccount:kube-system:{c}", ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]


def node():
    n = rng.choice(NODES)
    return f"system:node:{n}", ["system:nodes", "system:authenticated"], n


def pod(name, ns, privileged):
    c = {"name": "app", "image": f"registry.example.com/app:{rng.randrange(100)}",
         "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}}}
    c["securityContext"] = {"privileged": True} if privileged else {
        "allowPrivilegeEscalation": False, "runAsNonRoot": True, "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}
    return {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
            "spec": {"containers": [c], "serviceAccountName": "app"}}


def event(i):
    x = rng.random()
    ns = rng.choice(NAMESPACES)
    if x < 0.40:  # controllers' and kubelets' reads
        g, v, r = rng.choice(READ_RESOURCES)
        verb = rng.choice(["get", "list", "watch", "get"])
        name = f"obj-{rng.randrange(5000)}" if verb == "get" else None
        user, groups = controller()
        return base(i, verb, user, groups, path(g, v, r, ns, name) + ("?watch=true&resourceVersion=1234" if verb == "watch" else ""), ref(g, v, r, ns, name), 200)
    if x < 0.65:  # lease renewals
        user, groups, n = node()
        return base(i, "update", user, groups, path("coordination.k8s.io", "v1", "leases", "kube-node-lease", n),
                    ref("coordination.k8s.io", "v1", "leases", "kube-node-lease", n), 200, agent="kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46")
    if x < 0.75:  # status patches
        user, groups, n = node()
        name = f"pod-{rng.randrange(5000)}"
        return base(i, "patch", user, groups, path("", "v1", "pods", ns, name, "status"), ref("", "v1", "pods", ns, name, "status"), 200)
    if x < 0.85:  # events
        user, groups = controller()
        return base(i, "create", user, groups, path("events.k8s.io", "v1", "events", ns), ref("events.k8s.io", "v1", "events", ns), 201)
    if x < 0.90:  # kubelets reading what their pods mount
        user, groups, _ = node()
        r = rng.choice(["secrets", "configmaps"])
        name = f"{r[:-1]}-{rng.randrange(500)}"
        return base(i, "get", user, groups, path("", "v1", r, ns, name), ref("", "v1", r, ns, name), 200)
    if x < 0.93:  # token requests by kubelets for their pods
        user, groups, _ = node()
        return base(i, "create", user, groups, path("", "v1", "serviceaccounts", ns, "app", "token"), ref("", "v1", "serviceaccounts", ns, "app", "token"), 201)
    if x < 0.96:  # creates logged with their request object
        name = f"web-{rng.randrange(100000)}"
        e = base(i, "create", "alice@example.com", ["developers", "system:authenticated"], path("", "v1", "pods", ns), ref("", "v1", "pods", ns, name), 201, level="RequestResponse", agent="kubectl/v1.31.2")
        e["requestObject"] = pod(name, ns, rng.random() < 0.1)
        return e
    if x < 0.97:  # configmaps written with their data
        name = f"settings-{rng.randrange(1000)}"
        e = base(i, "update", "ci-deployer", ["system:authenticated"], path("", "v1", "configmaps", ns, name), ref("", "v1", "configmaps", ns, name), 200, level="Request", agent="helm/3.16")
        e["requestObject"] = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": name, "namespace": ns},
                              "data": {"LOG_LEVEL": "info", "FEATURE_X": "true"}}
        return e
    if x < 0.98:  # exec
        name = f"web-{rng.randrange(5000)}"
        return base(i, "create", "bob@example.com", ["ops", "system:authenticated"], path("", "v1", "pods", ns, name, "exec") + "?command=sh&container=app&stdin=true&tty=true",
                    ref("", "v1", "pods", ns, name, "exec"), 101, agent="kubectl/v1.31.2")
    if x < 0.99:  # Forbidden
        user = f"user-{rng.randrange(20)}@example.com"
        g, v, r = rng.choice(READ_RESOURCES + [("", "v1", "secrets")])
        return base(i, "list", user, ["system:authenticated"], path(g, v, r, ns), ref(g, v, r, ns), 403, agent="kubectl/v1.31.2")
    if x < 0.995:  # someone reads a Secret
        name = f"secret-{rng.randrange(500)}"
        return base(i, "get", "carol@example.com", ["system:authenticated"], path("", "v1", "secrets", ns, name), ref("", "v1", "secrets", ns, name), 200, agent="kubectl/v1.31.2")
    e = base(i, "get", "system:anonymous", ["system:unauthenticated"], "/healthz", None, 200, agent="kube-probe/1.31")
    return e


with open(OUT, "w") as f:
    for i in range(N):
        f.write(json.dumps(event(i), separators=(",", ":")))
        f.write("\n")
