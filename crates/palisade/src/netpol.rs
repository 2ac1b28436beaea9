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
    let mut net = Network::default();
    let errors = inputs::fold(inputs, opts, &NetPass, |out| net.merge(out));
    net.complete_namespaces();
    (net, errors)
}
