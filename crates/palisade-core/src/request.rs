//! The request an object arrives in: for admission requests (live, or an `AdmissionReview`
//! document in the input) the operation, the object it replaces and who asks; for objects
//! read from files or listed from a cluster, none. Built-in rules judge the object alone;
//! user policies (Gatekeeper, ValidatingAdmissionPolicy) can read the request.

use crate::Node;

/// One request, as `AdmissionRequest` carries it.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub uid: String,
    /// `CREATE`, `UPDATE`, `DELETE` or `CONNECT`.
    pub operation: String,
    /// `request.kind`: group, version, kind.
    pub kind: (String, String, String),
    /// `request.resource`: group, version, resource; and the subresource.
    pub resource: (String, String, String),
    pub sub_resource: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// `request.userInfo` as sent (username, uid, groups, extra).
    pub user_info: Option<Node>,
    pub dry_run: bool,
    /// The object an UPDATE replaces or a DELETE removes.
    pub old_object: Option<Node>,
}

impl Request {
    /// Reads `request` of an `AdmissionReview` document; the object is left where it is.
    pub fn from_review(request: &Node) -> Request {
        let s = |n: Option<&Node>| n.and_then(Node::as_str).unwrap_or("").to_string();
        let triple = |key: &str, last: &str| {
            let n = request.get(key);
            (s(n.and_then(|n| n.get("group"))), s(n.and_then(|n| n.get("version"))), s(n.and_then(|n| n.get(last))))
        };
        let opt = |key: &str| request.get(key).and_then(Node::as_str).filter(|v| !v.is_empty()).map(str::to_string);
        Request {
            uid: s(request.get("uid")),
            operation: s(request.get("operation")),
            kind: triple("kind", "kind"),
            resource: triple("resource", "resource"),
            sub_resource: s(request.get("subResource")),
            namespace: opt("namespace"),
            name: opt("name"),
            user_info: request.get("userInfo").cloned(),
            dry_run: request.get("dryRun").and_then(Node::as_bool).unwrap_or(false),
            old_object: request.get("oldObject").filter(|n| n.is_map()).cloned(),
        }
    }

    /// Whether the request removes its object (then only user policies judge it).
    pub fn is_delete(&self) -> bool {
        self.operation == "DELETE"
    }
}
