//! `palisade rbac`: RBAC objects gathered from the inputs into one [`Rbac`] set.

use crate::inputs::{self, Doc, Input, Pass, PassOptions};
use palisade_analysis::rbac::model::{read, Binding, RbacObject, Role};
use palisade_analysis::rbac::Rbac;
use palisade_report::InputError;
use palisade_rules::Origin;

struct RbacPass;

impl Pass for RbacPass {
    type Out = (Vec<Role>, Vec<Binding>);

    fn document(&self, _origin: &Origin, doc: Doc, out: &mut Self::Out) {
        doc.objects(|object, node, _| match read(&object, node) {
            Some(RbacObject::Role(r)) => out.0.push(r),
            Some(RbacObject::Binding(b)) => out.1.push(b),
            None => {}
        });
    }
}

/// Reads every input and loads its Roles, ClusterRoles and bindings.
pub fn load(inputs: &[Input], opts: &PassOptions) -> (Rbac, Vec<InputError>) {
    let (mut roles, mut bindings, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for read in inputs::run(inputs, opts, &RbacPass) {
        roles.extend(read.out.0);
        bindings.extend(read.out.1);
        errors.extend(read.errors);
    }
    (Rbac::new(roles, bindings), errors)
}
