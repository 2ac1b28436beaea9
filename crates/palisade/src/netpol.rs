//! `palisade netpol`: workloads, namespaces and NetworkPolicies gathered into one [`Network`].

use crate::inputs::{self, Doc, Input, Pass, PassOptions};
use palisade_analysis::netpol::Network;
use palisade_report::InputError;
use palisade_rules::Origin;

struct NetPass;

impl Pass for NetPass {
    type Out = Network;

    fn document(&self, _origin: &Origin, doc: Doc, out: &mut Network) {
        doc.objects(|object, node, _| out.add(&object, node));
    }
}

/// Reads every input into one network.
pub fn load(inputs: &[Input], opts: &PassOptions) -> (Network, Vec<InputError>) {
    let (mut net, mut errors) = (Network::default(), Vec::new());
    for read in inputs::run(inputs, opts, &NetPass) {
        net.merge(read.out);
        errors.extend(read.errors);
    }
    net.complete_namespaces();
    (net, errors)
}
