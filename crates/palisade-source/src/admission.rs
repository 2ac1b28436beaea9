//! Admission requests as a source: an `admission.k8s.io/v1` (or `v1beta1`) `AdmissionReview`
//! read into what the rules and the admission decision need — the operation, the object and
//! the object it replaces, who asks, and where — with the request's namespace and name filled
//! into an object that leaves them out (a create posted to a namespace's URL, a
//! `generateName`), as the API server would store it.

use crate::json::{map_under, set, Tree};
use palisade_core::{Node, Pos, Value};
use serde::Deserialize;

/// One admission request.
#[derive(Clone, Debug)]
pub struct Request {
    /// The review's `apiVersion`, answered in kind.
    pub api_version: String,
    pub uid: String,
    /// `CREATE`, `UPDATE`, `DELETE` or `CONNECT`.
    pub operation: String,
    /// The kind of the object (`request.kind.kind`), and its resource and subresource.
    pub kind: String,
    pub resource: String,
    pub sub_resource: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub username: String,
    pub groups: Vec<String>,
    pub dry_run: bool,
    /// The request as user policies read it (kind and resource with group and version, the
    /// whole userInfo) and the object an UPDATE replaces or a DELETE removes.
    pub context: palisade_core::Request,
    /// The object, read straight into the value tree.
    pub object: Option<Node>,
}

/// Why a body is not an admission review, for the HTTP 400 that answers it.
#[derive(Debug, PartialEq)]
pub struct Problem(pub String);

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The review as it is read: only what the decision needs; the objects as value trees.
#[derive(Deserialize)]
struct Review {
    #[serde(rename = "apiVersion")]
    api_version: Option<String>,
    kind: Option<String>,
    request: Option<Wire>,
}

#[derive(Deserialize, Default)]
struct Named {
    group: Option<String>,
    version: Option<String>,
    kind: Option<String>,
    resource: Option<String>,
}

#[derive(Deserialize)]
struct Wire {
    uid: Option<String>,
    operation: Option<String>,
    kind: Option<Named>,
    resource: Option<Named>,
    #[serde(rename = "subResource")]
    sub_resource: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
    #[serde(rename = "userInfo")]
    user_info: Option<Tree>,
    #[serde(rename = "dryRun")]
    dry_run: Option<bool>,
    object: Option<Tree>,
    #[serde(rename = "oldObject")]
    old_object: Option<Tree>,
}

fn text(s: &str) -> Node {
    Node::new(Pos::UNKNOWN, Value::Str(s.to_string()))
}

/// An object as the API server would store it: `metadata.namespace` and `metadata.name`
/// from the request where the object leaves them out (a `generateName` stands in for the
/// name the server would generate).
fn placed(mut object: Node, namespace: Option<&str>, name: Option<&str>) -> Node {
    let Some(meta) = map_under(&mut object, "metadata") else { return object };
    let missing = |meta: &Node, key: &str| meta.get(key).and_then(Node::as_str).is_none_or(str::is_empty);
    let generated = meta.get("generateName").and_then(Node::as_str).map(|g| format!("{g}<generated>"));
    if let (true, Some(ns)) = (missing(meta, "namespace"), namespace) {
        set(meta, "namespace", text(ns));
    }
    if let (true, Some(n)) = (missing(meta, "name"), name.map(str::to_string).or(generated)) {
        set(meta, "name", text(&n));
    }
    object
}

/// Reads an `AdmissionReview` body.
pub fn read(body: &[u8]) -> Result<Request, Problem> {
    let review: Review = serde_json::from_slice(body).map_err(|e| {
        let what = if e.is_data() { "not an AdmissionReview" } else { "not JSON" };
        Problem(format!("the body is {what}: {e}"))
    })?;
    let api_version = review.api_version.unwrap_or_default();
    if !matches!(api_version.as_str(), "admission.k8s.io/v1" | "admission.k8s.io/v1beta1") || review.kind.as_deref() != Some("AdmissionReview") {
        return Err(Problem(format!("expected an admission.k8s.io/v1 AdmissionReview, got apiVersion `{api_version}` kind `{}`", review.kind.unwrap_or_default())));
    }
    let Some(request) = review.request else {
        return Err(Problem("the AdmissionReview has no `request`".into()));
    };
    let uid = request.uid.filter(|u| !u.is_empty()).ok_or_else(|| Problem("the request has no `uid`".into()))?;
    let operation = request.operation.ok_or_else(|| Problem("the request has no `operation`".into()))?;
    if !matches!(operation.as_str(), "CREATE" | "UPDATE" | "DELETE" | "CONNECT") {
        return Err(Problem(format!("unknown operation `{operation}`")));
    }
    let namespace = request.namespace.filter(|n| !n.is_empty());
    let name = request.name.filter(|n| !n.is_empty());
    let object_of = |key: &str, value: Option<Tree>| -> Result<Option<Node>, Problem> {
        match value.map(|t| t.0) {
            None => Ok(None),
            Some(n) if n.is_null() => Ok(None),
            Some(n) if n.is_map() => Ok(Some(placed(n, namespace.as_deref(), name.as_deref()))),
            Some(_) => Err(Problem(format!("`request.{key}` is not an object"))),
        }
    };
    let (object, old_object) = (object_of("object", request.object)?, object_of("oldObject", request.old_object)?);
    if matches!(operation.as_str(), "CREATE" | "UPDATE") && object.is_none() {
        return Err(Problem(format!("a {operation} request without `object`")));
    }
    let user = request.user_info.map(|t| t.0).filter(|u| u.is_map());
    let username = user.as_ref().and_then(|u| u.get("username")).and_then(Node::as_str).unwrap_or("").to_string();
    let groups = user.as_ref().and_then(|u| u.get("groups")).map(Node::items).unwrap_or(&[]).iter().filter_map(Node::as_str).map(str::to_string).collect();
    let (kind, resource) = (request.kind.unwrap_or_default(), request.resource.unwrap_or_default());
    let sub_resource = request.sub_resource.unwrap_or_default();
    let dry_run = request.dry_run.unwrap_or(false);
    let triple = |n: &Named, last: &Option<String>| (n.group.clone().unwrap_or_default(), n.version.clone().unwrap_or_default(), last.clone().unwrap_or_default());
    let context = palisade_core::Request {
        uid: uid.clone(),
        operation: operation.clone(),
        kind: triple(&kind, &kind.kind),
        resource: triple(&resource, &resource.resource),
        sub_resource: sub_resource.clone(),
        namespace: namespace.clone(),
        name: name.clone(),
        user_info: user,
        dry_run,
        old_object,
    };
    Ok(Request {
        api_version,
        uid,
        operation,
        kind: kind.kind.unwrap_or_default(),
        resource: resource.resource.unwrap_or_default(),
        sub_resource,
        namespace,
        name,
        username,
        groups,
        dry_run,
        context,
        object,
    })
}

/// The uid of a body that may not be a whole review (to answer a review the server cannot
/// judge with its own uid).
pub fn uid_of(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("request")?.get("uid")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn review(request: Value) -> Vec<u8> {
        serde_json::to_vec(&json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request})).unwrap()
    }

    #[test]
    fn a_create_posted_to_a_namespace_gets_its_namespace_and_generated_name() {
        let r = read(&review(json!({
            "uid": "u1", "operation": "CREATE", "namespace": "shop", "dryRun": true,
            "kind": {"group": "", "version": "v1", "kind": "Pod"}, "resource": {"group": "", "version": "v1", "resource": "pods"},
            "userInfo": {"username": "alice", "groups": ["dev", "system:authenticated"]},
            "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "web-"}, "spec": {}}
        })))
        .unwrap();
        let meta = r.object.as_ref().unwrap().get("metadata").unwrap();
        assert_eq!((meta.get("namespace").and_then(Node::as_str), meta.get("name").and_then(Node::as_str)), (Some("shop"), Some("web-<generated>")));
        assert_eq!((r.kind.as_str(), r.resource.as_str(), r.username.as_str(), r.dry_run), ("Pod", "pods", "alice", true));
        assert_eq!(r.groups, ["dev", "system:authenticated"]);
    }

    #[test]
    fn what_is_not_a_review_says_why() {
        let problem = |body: &[u8]| read(body).unwrap_err().0;
        assert!(problem(b"{not json").contains("not JSON"));
        assert!(problem(b"[1]").contains("not an AdmissionReview"), "{}", problem(b"[1]"));
        assert!(problem(br#"{"apiVersion": "v1", "kind": "Pod"}"#).contains("expected an admission.k8s.io/v1 AdmissionReview"));
        assert!(problem(br#"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}"#).contains("no `request`"));
        assert!(problem(&review(json!({"operation": "CREATE"}))).contains("no `uid`"));
        assert!(problem(&review(json!({"uid": "u", "operation": "PATCH"}))).contains("unknown operation"));
        assert!(problem(&review(json!({"uid": "u", "operation": "CREATE"}))).contains("without `object`"));
        assert!(problem(&review(json!({"uid": "u", "operation": "CREATE", "object": "pod"}))).contains("not an object"));
        assert!(problem(&review(json!({"uid": 7, "operation": "CREATE"}))).contains("not an AdmissionReview"), "a field of the wrong type");
        assert!(read(&review(json!({"uid": "u", "operation": "DELETE", "oldObject": {"kind": "Pod"}}))).is_ok());
        assert_eq!(uid_of(&review(json!({"uid": "u9", "operation": "PATCH"}))).as_deref(), Some("u9"));
    }
}
