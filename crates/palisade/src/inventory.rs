//! `palisade images` and `palisade secrets`: a pass over the inputs that gathers inventories
//! instead of findings.

use crate::inputs::{self, Doc, Input, Pass, PassOptions};
use palisade_core::inventory::{ImageInventory, SecretInventory};
use palisade_report::InputError;
use palisade_rules::Origin;

/// Both inventories of one input (or, merged, of all).
#[derive(Default)]
pub struct Inventories {
    pub images: ImageInventory,
    pub secrets: SecretInventory,
}

struct InventoryPass;

impl Pass for InventoryPass {
    type Out = Inventories;

    fn document(&self, origin: &Origin, doc: Doc, out: &mut Inventories) {
        doc.objects(|object, node, _| {
            let locate = |pos| origin.location(pos);
            out.images.add(&object, node, &locate);
            out.secrets.add(&object, node, &locate);
        });
    }
}

/// Reads every input and gathers its images and secrets; input problems come back as errors.
pub fn gather(inputs: &[Input], opts: &PassOptions) -> (Inventories, Vec<InputError>) {
    let mut all = Inventories::default();
    let errors = inputs::fold(inputs, opts, &InventoryPass, |out| {
        all.images.merge(out.images);
        all.secrets.merge(out.secrets);
    });
    (all, errors)
}
