//! Admission requests as a source: an `admission.k8s.io/v1` (or `v1beta1`) `AdmissionReview`
//! read into what the rules and the admission decision need — the operation, the object and
//! the object it replaces, who asks, and where — with the request's namespace and name filled
//! into an object that leaves them out (a create posted to a namespace's URL, a
//! `generateName`), as the API server would store it.

use serde_json::Value;

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
    pub object: Option<Value>,
    pub old_object: Option<Value>,
}

/// Why a body is not an admission review, for the HTTP 400 that answers it.
#[derive(Debug, PartialEq)]
pub struct Problem(pub String);

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn text(v: &Value, path: &[&str]) -> Option<String> {
    path.iter().try_fold(v, |v, k| v.get(k)).and_then(Value::as_str).map(str::to_string)
}

/// An object as the API server would store it: `metadata.namespace` and `metadata.name`
/// from the request where the object leaves them out.
fn placed(mut object: Value, namespace: Option<&str>, name: Option<&str>) -> Value {
    let Some(meta) = object.as_object_mut().map(|o| o.entry("metadata").or_insert_with(|| Value::Object(Default::default()))) else { return object };
    let Some(meta) = meta.as_object_mut() else { return object };
    let generated = meta.get("generateName").and_then(Value::as_str).map(|g| format!("{g}<generated>"));
    for (key, value) in [("namespace", namespace.map(str::to_string)), ("name", name.map(str::to_string).or(generated))] {
        let missing = meta.get(key).and_then(Value::as_str).is_none_or(str::is_empty);
        if let (true, Some(value)) = (missing, value) {
            meta.insert(key.to_string(), Value::String(value));
        }
    }
    object
}

/// Reads an `AdmissionReview` body.
pub fn read(body: &[u8]) -> Result<Request, Problem> {
    let mut review: Value = serde_json::from_slice(body).map_err(|e| Problem(format!("the body is not JSON: {e}")))?;
    if !review.is_object() {
        return Err(Problem("the body is not a JSON object".into()));
    }
    let api_version = text(&review, &["apiVersion"]).unwrap_or_default();
    if !matches!(api_version.as_str(), "admission.k8s.io/v1" | "admission.k8s.io/v1beta1") || text(&review, &["kind"]).as_deref() != Some("AdmissionReview") {
        return Err(Problem(format!("expected an admission.k8s.io/v1 AdmissionReview, got apiVersion `{api_version}` kind `{}`", text(&review, &["kind"]).unwrap_or_default())));
    }
    let Some(request) = review.get_mut("request").and_then(Value::as_object_mut) else {
        return Err(Problem("the AdmissionReview has no `request`".into()));
    };
    // The objects are taken out, not copied.
    let (object, old_object) = (request.remove("object"), request.remove("oldObject"));
    let request = Value::Object(std::mem::take(request));
    let request = &request;
    let uid = text(request, &["uid"]).filter(|u| !u.is_empty()).ok_or_else(|| Problem("the request has no `uid`".into()))?;
    let operation = text(request, &["operation"]).ok_or_else(|| Problem("the request has no `operation`".into()))?;
    if !matches!(operation.as_str(), "CREATE" | "UPDATE" | "DELETE" | "CONNECT") {
        return Err(Problem(format!("unknown operation `{operation}`")));
    }
    let namespace = text(request, &["namespace"]).filter(|n| !n.is_empty());
    let name = text(request, &["name"]).filter(|n| !n.is_empty());
    let object_of = |key: &str, value: Option<Value>| -> Result<Option<Value>, Problem> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(o) if o.is_object() => Ok(Some(placed(o, namespace.as_deref(), name.as_deref()))),
            Some(_) => Err(Problem(format!("`request.{key}` is not an object"))),
        }
    };
    let (object, old_object) = (object_of("object", object)?, object_of("oldObject", old_object)?);
    if matches!(operation.as_str(), "CREATE" | "UPDATE") && object.is_none() {
        return Err(Problem(format!("a {operation} request without `object`")));
    }
    Ok(Request {
        api_version,
        uid,
        operation,
        kind: text(request, &["kind", "kind"]).unwrap_or_default(),
        resource: text(request, &["resource", "resource"]).unwrap_or_default(),
        sub_resource: text(request, &["subResource"]).unwrap_or_default(),
        namespace,
        name,
        username: text(request, &["userInfo", "username"]).unwrap_or_default(),
        groups: request.get("userInfo").and_then(|u| u.get("groups")).and_then(Value::as_array).map(|g| g.iter().filter_map(Value::as_str).map(str::to_string).collect()).unwrap_or_default(),
        dry_run: request.get("dryRun").and_then(Value::as_bool).unwrap_or(false),
        object,
        old_object,
    })
}

/// The uid of a body that may not be a whole review (to answer a review the server cannot
/// judge with its own uid).
pub fn uid_of(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    text(&v, &["request", "uid"])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        let meta = &r.object.as_ref().unwrap()["metadata"];
        assert_eq!((meta["namespace"].as_str(), meta["name"].as_str()), (Some("shop"), Some("web-<generated>")));
        assert_eq!((r.kind.as_str(), r.resource.as_str(), r.username.as_str(), r.dry_run), ("Pod", "pods", "alice", true));
        assert_eq!(r.groups, ["dev", "system:authenticated"]);
    }

    #[test]
    fn what_is_not_a_review_says_why() {
        let problem = |body: &[u8]| read(body).unwrap_err().0;
        assert!(problem(b"{not json").contains("not JSON"));
        assert!(problem(b"[1]").contains("not a JSON object"));
        assert!(problem(br#"{"apiVersion": "v1", "kind": "Pod"}"#).contains("expected an admission.k8s.io/v1 AdmissionReview"));
        assert!(problem(br#"{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}"#).contains("no `request`"));
        assert!(problem(&review(json!({"operation": "CREATE"}))).contains("no `uid`"));
        assert!(problem(&review(json!({"uid": "u", "operation": "PATCH"}))).contains("unknown operation"));
        assert!(problem(&review(json!({"uid": "u", "operation": "CREATE"}))).contains("without `object`"));
        assert!(problem(&review(json!({"uid": "u", "operation": "CREATE", "object": "pod"}))).contains("not an object"));
        assert!(read(&review(json!({"uid": "u", "operation": "DELETE", "oldObject": {"kind": "Pod"}}))).is_ok());
        assert_eq!(uid_of(&review(json!({"uid": "u9", "operation": "PATCH"}))).as_deref(), Some("u9"));
    }
}
