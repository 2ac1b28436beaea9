//! `palisade rbac`: RBAC objects (and Secrets) gathered from the inputs into one [`Rbac`] set.

use crate::inputs::{self, Doc, Input, Pass, PassOptions};
use palisade_analysis::rbac::model::{read, Binding, RbacObject, Role};
use palisade_analysis::rbac::Rbac;
use palisade_core::{Location, Node};
use palisade_report::InputError;
use palisade_rules::Origin;

/// A Secret of the input: where it is and when it was created.
#[derive(Clone, Debug)]
pub struct SecretInfo {
    pub namespace: String,
    pub name: String,
    /// `metadata.creationTimestamp`, as written.
    pub created: Option<String>,
    pub location: Location,
}

struct RbacPass;

#[derive(Default)]
struct Gathered {
    roles: Vec<Role>,
    bindings: Vec<Binding>,
    secrets: Vec<SecretInfo>,
    namespaces: std::collections::BTreeSet<String>,
    token_secrets: Vec<(String, String, String)>,
}

impl Pass for RbacPass {
    type Out = Gathered;

    fn document(&self, origin: &Origin, doc: Doc, out: &mut Gathered) {
        doc.objects(|object, node, _| {
            if object.kind == "Namespace" {
                out.namespaces.insert(object.name.to_string());
            }
            out.namespaces.extend(object.namespace.map(str::to_string));
            out.take(object, node, origin)
        });
    }
}

impl Gathered {
    fn take(&mut self, object: palisade_core::Object, node: &Node, origin: &Origin) {
        let out = self;
        match read(&object, node) {
            Some(RbacObject::Role(r)) => out.roles.push(r),
            Some(RbacObject::Binding(b)) => out.bindings.push(b),
            None if object.kind == "Secret" && object.api_version == "v1" => {
                let namespace = object.namespace.unwrap_or("default").to_string();
                if node.get("type").and_then(Node::as_str) == Some("kubernetes.io/service-account-token") {
                    if let Some(sa) = node.get_path(&["metadata", "annotations", "kubernetes.io/service-account.name"]).and_then(Node::as_str) {
                        out.token_secrets.push((namespace.clone(), object.name.to_string(), sa.to_string()));
                    }
                }
                out.secrets.push(SecretInfo {
                namespace: object.namespace.unwrap_or("default").to_string(),
                name: object.name.to_string(),
                created: node.get_path(&["metadata", "creationTimestamp"]).map(Node::display_scalar),
                location: origin.location(node.pos),
                })
            }
            None => {}
        }
    }
}

/// The RBAC configuration of the inputs, and their Secrets.
pub struct Loaded {
    pub rbac: Rbac,
    pub secrets: Vec<SecretInfo>,
}

/// Reads every input and loads its Roles, ClusterRoles, bindings and Secrets.
pub fn load(inputs: &[Input], opts: &PassOptions) -> (Loaded, Vec<InputError>) {
    let mut all = Gathered::default();
    let errors = inputs::fold(inputs, opts, &RbacPass, |out| {
        all.roles.extend(out.roles);
        all.bindings.extend(out.bindings);
        all.secrets.extend(out.secrets);
        all.namespaces.extend(out.namespaces);
        all.token_secrets.extend(out.token_secrets);
    });
    let mut rbac = Rbac::new(all.roles, all.bindings);
    rbac.known_namespaces = all.namespaces;
    rbac.token_secrets = all.token_secrets;
    (Loaded { rbac, secrets: all.secrets }, errors)
}
