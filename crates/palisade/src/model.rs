//! The cross-object model of the inputs, for the query commands (`palisade rbac`,
//! `palisade netpol`): every object read once into the same model the scan's cross-object
//! rules use, from which the RBAC authorizer's view and the network are taken.

use crate::inputs::{self, Doc, Input, Pass, PassOptions};
use palisade_analysis::model::{self, Key, Model, ObjectFacts, Plan};
use palisade_core::{Anchor, FieldPath, PodSpecView};
use palisade_report::InputError;
use palisade_rules::Origin;
use std::sync::Arc;

struct ModelPass;

impl Pass for ModelPass {
    type Out = Vec<(Key, ObjectFacts)>;

    fn document(&self, origin: &Origin, doc: Doc, out: &mut Self::Out) {
        // Objects of one document are told apart by their index in it (`List` items).
        let mut index = match doc {
            Doc::Item(_, i) => i as u32,
            Doc::Root(_) => 0,
        };
        doc.objects(|object, node, prefix| {
            let object = object.in_namespace("default");
            let reference = Arc::new(object.reference());
            index += 1;
            let location = |path: &FieldPath| Some(origin.location(path.locate(node).0));
            let anchor = |path: &FieldPath| {
                Arc::new(Anchor { object: reference.clone(), location: location(path), labels: None, inline: None })
            };
            let pod = PodSpecView::of(&object);
            let facts = model::read(&Plan::ALL, &object, node, pod.as_ref(), prefix.as_ref(), &anchor, &location);
            out.push((Key { object: reference.clone(), origin: Some((origin.file.clone(), origin.document, index)) }, facts));
        });
    }
}

/// Reads every input into one model.
pub fn load(inputs: &[Input], opts: &PassOptions) -> (Model, Vec<InputError>) {
    let mut model = Model::default();
    let errors = inputs::fold(inputs, opts, &ModelPass, |out| {
        for (key, facts) in out {
            model.load(key, facts);
        }
    });
    (model, errors)
}
