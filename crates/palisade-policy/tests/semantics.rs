//! Gatekeeper's and ValidatingAdmissionPolicy's semantics, point by point: each part of a
//! constraint's `match` and of a policy's `matchConstraints` and binding, allowed and
//! denied, on objects and requests built here.

use palisade_core::{Node, Object, Request, Target};
use palisade_policy::gatekeeper::{Engine, AUDIT_POINT};
use palisade_policy::inventory::Inventory;
use palisade_policy::load::{build, Doc};
use palisade_policy::PolicySet;
use std::sync::Arc;

fn docs(yaml: &str) -> Vec<Doc> {
    palisade_source::Document::load_all(yaml.as_bytes(), &palisade_source::Limits::default())
        .into_iter()
        .map(|d| Doc { file: "test.yaml".into(), root: d.unwrap().root })
        .collect()
}

fn node(yaml: &str) -> Node {
    docs(yaml).remove(0).root
}

fn set(yaml: &str, inventory: &str) -> PolicySet {
    let inv = Arc::new(Inventory::default());
    for d in docs(inventory) {
        inv.add(&d.root);
    }
    build(&docs(yaml), inv, None).unwrap_or_else(|e| panic!("{e:?}"))
}

/// The messages of every constraint and policy for one object (in a request, if given).
fn judge(set: &PolicySet, object: &Node, request: Option<&Request>) -> Vec<String> {
    let mut t = Target::new(Object::from_node(object).unwrap());
    t.request = request;
    let mut out = Vec::new();
    for c in &set.constraints {
        if c.enforcement.at(AUDIT_POINT).is_some() && c.matcher.matches(&t, &set.inventory) {
            out.extend(c.judge(&t, c.engine).unwrap());
        }
    }
    for p in &set.policies {
        out.extend(p.judge(&t).into_iter().map(|(m, action, _)| format!("{action}: {m}")));
    }
    out
}

const ALWAYS: &str = "apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: always}
spec:
  crd: {spec: {names: {kind: Always}}}
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package always
        violation[{\"msg\": msg}] {
          msg := sprintf(\"%v %v\", [input.review.kind.kind, input.review.object.metadata.name])
        }
";

fn constraint(spec: &str) -> String {
    format!("{ALWAYS}---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: Always\nmetadata: {{name: c}}\nspec:\n{spec}")
}

fn pod(name: &str, ns: &str, labels: &str) -> Node {
    node(&format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {ns}, labels: {{{labels}}}}}\nspec: {{}}\n"))
}

#[test]
fn gatekeeper_match() {
    let inv = "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod, labels: {env: prod}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: dev}\n";
    let hit = |spec: &str, object: &Node| !judge(&set(&constraint(spec), inv), object, None).is_empty();
    let p = pod("web-1", "prod", "app: web");
    // kinds: group and kind, wildcards.
    assert!(hit("  match: {kinds: [{apiGroups: [\"\"], kinds: [Pod]}]}\n", &p));
    assert!(!hit("  match: {kinds: [{apiGroups: [apps], kinds: [Pod]}]}\n", &p));
    assert!(hit("  match: {kinds: [{apiGroups: [\"*\"], kinds: [\"*\"]}]}\n", &p));
    // namespaces and excludedNamespaces, with globs; cluster-scoped objects are not excluded.
    assert!(hit("  match: {namespaces: [\"pr*\"]}\n", &p));
    assert!(!hit("  match: {namespaces: [dev]}\n", &p));
    assert!(!hit("  match: {excludedNamespaces: [\"*od\"]}\n", &p));
    let role = node("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n");
    assert!(hit("  match: {excludedNamespaces: [\"*\"]}\n", &role));
    // A Namespace is matched by its own name and labels.
    let ns = node("apiVersion: v1\nkind: Namespace\nmetadata: {name: prod, labels: {env: prod}}\n");
    assert!(!hit("  match: {excludedNamespaces: [prod]}\n", &ns));
    assert!(hit("  match: {namespaceSelector: {matchLabels: {env: prod}}}\n", &ns));
    // scope.
    assert!(hit("  match: {scope: Namespaced}\n", &p) && !hit("  match: {scope: Cluster}\n", &p));
    assert!(hit("  match: {scope: Cluster}\n", &role) && hit("  match: {scope: Cluster}\n", &ns));
    // labelSelector and namespaceSelector (the inventory's Namespace; unknown ones have no labels).
    assert!(hit("  match: {labelSelector: {matchLabels: {app: web}}}\n", &p));
    assert!(!hit("  match: {labelSelector: {matchExpressions: [{key: app, operator: NotIn, values: [web]}]}}\n", &p));
    assert!(hit("  match: {namespaceSelector: {matchLabels: {env: prod}}}\n", &p));
    assert!(!hit("  match: {namespaceSelector: {matchLabels: {env: prod}}}\n", &pod("x", "dev", "")));
    assert!(!hit("  match: {namespaceSelector: {matchExpressions: [{key: env, operator: Exists}]}}\n", &pod("x", "elsewhere", "")));
    // name, and generateName for a trailing glob.
    assert!(hit("  match: {name: \"web-*\"}\n", &p) && !hit("  match: {name: api}\n", &p));
    let generated = node("apiVersion: v1\nkind: Pod\nmetadata: {name: \"\", generateName: web-, namespace: prod}\n");
    assert!(hit("  match: {name: \"web-*\"}\n", &generated));
    // labelSelector on UPDATE: the old object's labels count too.
    let old = pod("web-1", "prod", "tier: gold");
    let update = Request { operation: "UPDATE".into(), old_object: Some(old), ..Request::default() };
    let plain = pod("web-1", "prod", "");
    let s = set(&constraint("  match: {labelSelector: {matchLabels: {tier: gold}}}\n"), inv);
    assert!(judge(&s, &plain, None).is_empty());
    assert_eq!(judge(&s, &plain, Some(&update)), ["Pod web-1"]);
}

#[test]
fn gatekeeper_enforcement_actions() {
    let read = |spec: &str| set(&constraint(spec), "").constraints.remove(0).enforcement;
    assert_eq!(read("  enforcementAction: warn\n").at(AUDIT_POINT), Some("warn"));
    assert_eq!(read("  {}\n").at(AUDIT_POINT), Some("deny"));
    let scoped = read("  enforcementAction: scoped\n  scopedEnforcementActions:\n    - {action: deny, enforcementPoints: [{name: validation.gatekeeper.sh}]}\n    - {action: warn, enforcementPoints: [{name: \"*\"}]}\n");
    assert_eq!(scoped.at("validation.gatekeeper.sh"), Some("deny"));
    assert_eq!(scoped.at(AUDIT_POINT), Some("warn"));
    let only_admission = read("  enforcementAction: scoped\n  scopedEnforcementActions:\n    - {action: deny, enforcementPoints: [{name: validation.gatekeeper.sh}]}\n");
    assert_eq!(only_admission.at(AUDIT_POINT), None);
    assert!(build(&docs(&constraint("  enforcementAction: block\n")), Arc::default(), None).is_err());
}

#[test]
fn gatekeeper_review_and_engines_agree() {
    // A template with both engines: the request's operation, userInfo and oldObject.
    let template = "apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: owner}
spec:
  crd: {spec: {names: {kind: Owner}}}
  targets:
    - target: admission.k8s.gatekeeper.sh
      code:
        - engine: K8sNativeValidation
          source:
            validations:
              - expression: 'request.operation != \"UPDATE\" || variables.anyObject.metadata.labels.owner == oldObject.metadata.labels.owner || request.userInfo.username == variables.params.admin'
                messageExpression: '\"owner changed by \" + request.userInfo.username'
        - engine: Rego
          source:
            rego: |
              package owner
              violation[{\"msg\": msg}] {
                input.review.operation == \"UPDATE\"
                input.review.object.metadata.labels.owner != input.review.oldObject.metadata.labels.owner
                input.review.userInfo.username != input.parameters.admin
                msg := sprintf(\"owner changed by %v\", [input.review.userInfo.username])
              }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: Owner
metadata: {name: owner}
spec: {parameters: {admin: root}}
";
    let s = set(template, "");
    let c = &s.constraints[0];
    let user = |name: &str| Some(node(&format!("{{username: {name}}}")));
    let new = pod("a", "ns", "owner: bob");
    for engine in [Engine::Rego, Engine::Cel] {
        let judged = |r: &Request| {
            let mut t = Target::new(Object::from_node(&new).unwrap());
            t.request = Some(r);
            c.judge(&t, engine).unwrap()
        };
        let update = |who: &str, old_owner: &str| Request { operation: "UPDATE".into(), user_info: user(who), old_object: Some(pod("a", "ns", &format!("owner: {old_owner}"))), ..Request::default() };
        assert_eq!(judged(&update("eve", "alice")), ["owner changed by eve"], "{engine:?}");
        assert!(judged(&update("root", "alice")).is_empty(), "{engine:?}");
        assert!(judged(&update("eve", "bob")).is_empty(), "{engine:?}");
        assert!(judged(&Request { operation: "CREATE".into(), user_info: user("eve"), ..Request::default() }).is_empty(), "{engine:?}");
    }
}

const LIMIT: &str = "apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: limit}
spec:
  paramKind: {apiVersion: example.com/v1, kind: Limit}
  matchConstraints:
    resourceRules:
      - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments, deployments/scale], scope: Namespaced}
    excludeResourceRules:
      - {apiGroups: [apps], apiVersions: [v1], operations: [\"*\"], resources: [deployments], resourceNames: [legacy]}
    objectSelector: {matchExpressions: [{key: skip, operator: DoesNotExist}]}
  validations:
    - expression: 'object.spec.replicas <= params.max'
      messageExpression: '\"replicas above \" + string(params.max)'
  auditAnnotations:
    - key: replicas
      valueExpression: 'object.spec.replicas > 3 ? \"many: \" + string(object.spec.replicas) : null'
---
apiVersion: example.com/v1
kind: Limit
metadata: {name: small, namespace: team, labels: {size: small}}
max: 2
---
apiVersion: example.com/v1
kind: Limit
metadata: {name: big, namespace: team, labels: {size: big}}
max: 10
";

fn deployment(name: &str, replicas: u32, labels: &str) -> Node {
    node(&format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: team, labels: {{{labels}}}}}\nspec: {{replicas: {replicas}}}\n"))
}

#[test]
fn vap_matching_params_and_actions() {
    let bind = |spec: &str| format!("{LIMIT}---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {{name: b}}\nspec:\n  policyName: limit\n{spec}");
    let judged = |spec: &str, object: &Node| judge(&set(&bind(spec), ""), object, None);
    let name_ref = "  validationActions: [Deny]\n  paramRef: {name: small, parameterNotFoundAction: Deny}\n";
    // paramRef by name in the request's namespace; a violation and the audit annotation.
    assert_eq!(judged(name_ref, &deployment("web", 5, "")), ["deny: replicas above 2", "audit: audit annotation limit/replicas: many: 5"]);
    assert!(judged(name_ref, &deployment("web", 1, "")).is_empty());
    // excludeResourceRules with resourceNames, and objectSelector.
    assert!(judged(name_ref, &deployment("legacy", 5, "")).is_empty());
    assert!(judged(name_ref, &deployment("web", 5, "skip: \"yes\"")).is_empty());
    // Resources not in the rules.
    assert!(judged(name_ref, &node("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s, namespace: team}\nspec: {replicas: 9}\n")).is_empty());
    // paramRef by selector: each matching param is judged.
    let selector = "  validationActions: [Warn, Audit]\n  paramRef: {selector: {matchLabels: {size: small}}}\n";
    assert_eq!(judged(selector, &deployment("web", 3, "")), ["warn: replicas above 2"]);
    let every = "  validationActions: [Audit]\n  paramRef: {selector: {}}\n";
    assert_eq!(judged(every, &deployment("web", 3, "")), ["audit: replicas above 2"]);
    // A missing param: Deny says so, Allow lets it through.
    let missing = |action: &str| format!("  validationActions: [Deny]\n  paramRef: {{name: none, parameterNotFoundAction: {action}}}\n");
    assert_eq!(judged(&missing("Deny"), &deployment("web", 1, "")), ["deny: no params found for policy binding b of limit"]);
    assert!(judged(&missing("Allow"), &deployment("web", 9, "")).is_empty());
    // The binding's matchResources narrows further.
    let narrowed = "  validationActions: [Deny]\n  paramRef: {name: small}\n  matchResources: {objectSelector: {matchLabels: {tier: web}}}\n";
    assert!(judged(narrowed, &deployment("web", 5, "")).is_empty());
    assert_eq!(judged(narrowed, &deployment("web", 1, "tier: web")).len(), 0);
    assert_eq!(judged(narrowed, &deployment("web", 5, "tier: web"))[0], "deny: replicas above 2");
    // Operations: a DELETE is not in the rules.
    let delete = Request { operation: "DELETE".into(), ..Request::default() };
    assert!(judge(&set(&bind(name_ref), ""), &deployment("web", 5, ""), Some(&delete)).is_empty());
    // Without a binding, nothing.
    assert!(judge(&set(LIMIT, ""), &deployment("web", 50, ""), None).is_empty());
}

#[test]
fn vap_conditions_variables_and_failure_policy() {
    let policy = |failure: &str, validation: &str| format!("apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {{name: p}}
spec:
  failurePolicy: {failure}
  matchConstraints:
    resourceRules: [{{apiGroups: [\"\"], apiVersions: [v1], operations: [CREATE], resources: [pods]}}]
    namespaceSelector: {{matchLabels: {{env: prod}}}}
  matchConditions:
    - name: not-system
      expression: '!object.metadata.name.startsWith(\"system-\")'
  variables:
    - name: images
      expression: 'object.spec.containers.map(c, c.image)'
    - name: untagged
      expression: 'variables.images.filter(i, !i.contains(\":\"))'
  validations:
    - expression: '{validation}'
      message: untagged images
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {{name: b}}
spec: {{policyName: p, validationActions: [Deny]}}
");
    let inv = "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod, labels: {env: prod}}\n";
    let p = |name: &str, ns: &str, image: &str| node(&format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {ns}}}\nspec: {{containers: [{{name: c, image: {image}}}]}}\n"));
    let s = set(&policy("Fail", "size(variables.untagged) == 0"), inv);
    assert_eq!(judge(&s, &p("web", "prod", "nginx"), None), ["deny: untagged images"]);
    assert!(judge(&s, &p("web", "prod", "nginx:1.27"), None).is_empty());
    assert!(judge(&s, &p("system-x", "prod", "nginx"), None).is_empty(), "the match condition is false");
    assert!(judge(&s, &p("web", "dev", "nginx"), None).is_empty(), "namespaceSelector");
    // An expression that fails: Fail reports it, Ignore does not.
    let failing = "object.spec.nothing.size() == 0";
    let s = set(&policy("Fail", failing), inv);
    let out = judge(&s, &p("web", "prod", "nginx"), None);
    assert!(out.len() == 1 && out[0].contains("could not be evaluated (failurePolicy Fail)"), "{out:?}");
    assert!(judge(&set(&policy("Ignore", failing), inv), &p("web", "prod", "nginx"), None).is_empty());
}

#[test]
fn vap_authorizer_is_answered_from_the_inventory_rbac() {
    let policy = "apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: authz}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [\"\"], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
  validations:
    - expression: 'authorizer.requestResource.check(\"create\").allowed()'
      message: the requester may not create it
    - expression: '!has(object.spec.serviceAccountName) || authorizer.serviceAccount(object.metadata.namespace, object.spec.serviceAccountName).group(\"\").resource(\"secrets\").namespace(object.metadata.namespace).check(\"list\").allowed() == false'
      message: the pod's ServiceAccount may list Secrets
    - expression: 'authorizer.path(\"/metrics\").check(\"get\").allowed() || authorizer.path(\"/metrics\").check(\"get\").reason() != \"\"'
      message: unreachable
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: authz}
spec: {policyName: authz, validationActions: [Deny]}
";
    let rbac = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pods, namespace: team}
rules: [{apiGroups: [\"\"], resources: [pods], verbs: [create]}, {apiGroups: [\"\"], resources: [secrets], verbs: [list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: devs, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pods}
subjects: [{kind: Group, name: devs}, {kind: ServiceAccount, name: reader, namespace: team}]
";
    let s = set(policy, rbac);
    let as_user = |name: &str, group: &str| Request { operation: "CREATE".into(), user_info: Some(node(&format!("{{username: {name}, groups: [{group}]}}"))), ..Request::default() };
    let p = node("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: team}\nspec: {containers: []}\n");
    assert!(judge(&s, &p, Some(&as_user("alice", "devs"))).is_empty());
    assert_eq!(judge(&s, &p, Some(&as_user("mallory", "others"))), ["deny: the requester may not create it"]);
    let reader = node("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: team}\nspec: {serviceAccountName: reader, containers: []}\n");
    assert_eq!(judge(&s, &reader, Some(&as_user("alice", "devs"))), ["deny: the pod's ServiceAccount may list Secrets"]);
}
