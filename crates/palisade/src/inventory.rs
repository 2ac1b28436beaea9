//! `palisade images` and `palisade secrets`: a pass over the inputs that gathers inventories
//! instead of findings.

use crate::inputs::{self, Doc, Input, Pass, PassOptions};
use palisade_core::estate::Estate;
use palisade_core::inventory::{ImageInventory, SecretInventory};
use palisade_report::InputError;
use palisade_rules::Origin;

/// Both inventories of one input (or, merged, of all).
#[derive(Default)]
pub struct Inventories {
    pub images: ImageInventory,
    pub secrets: SecretInventory,
    pub estate: Estate,
}

impl Inventories {
    /// Adds one object (from a file: `locate` gives positions' locations; live: none).
    pub fn add(&mut self, object: &palisade_core::Object, node: &palisade_core::Node, locate: &dyn Fn(palisade_core::Pos) -> Option<palisade_core::Location>) {
        self.images.add(object, node, locate);
        self.secrets.add(object, node, locate);
        self.estate.add(object, node);
    }

    /// Adds another's inventories to these.
    pub fn merge(&mut self, other: Inventories) {
        self.images.merge(other.images);
        self.secrets.merge(other.secrets);
        self.estate.merge(other.estate);
    }
}

/// Gathers both inventories; namespaced objects without `metadata.namespace` are in
/// `namespace`.
struct InventoryPass<'n> {
    namespace: &'n str,
}

impl Pass for InventoryPass<'_> {
    type Out = Inventories;

    fn document(&self, origin: &Origin, doc: Doc, out: &mut Inventories) {
        doc.objects(|object, node, _| {
            let object = object.in_namespace(self.namespace);
            out.add(&object, node, &|pos| Some(origin.location(pos)));
        });
    }
}

/// Reads every input and gathers its images and secrets (objects without a namespace are in
/// `namespace`, as `kubectl apply -n` puts them); input problems come back as errors.
pub fn gather(inputs: &[Input], opts: &PassOptions, namespace: &str) -> (Inventories, Vec<InputError>) {
    let mut all = Inventories::default();
    let errors = inputs::fold(inputs, opts, &InventoryPass { namespace }, |out| all.merge(out));
    all.estate.sort();
    (all, errors)
}
