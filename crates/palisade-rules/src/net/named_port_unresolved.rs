use crate::check::{Check, Scope};
use palisade_analysis::model::Model;
use palisade_analysis::netpol::model::PortRef;
use palisade_core::{Anchor, Context, FieldPath, Violation};
use std::sync::Arc;

declare_rule! {
    /// ## What it does
    /// Flags ingress rules with a named port (`port: http`) that none of the workloads the
    /// policy selects declares (by that name and protocol) — judged when the policy selects
    /// at least one workload of the input.
    ///
    /// ## Why is this bad?
    /// A named port is resolved against each destination pod's container ports; where no
    /// container has the name, the rule allows nothing. The traffic the rule was written for
    /// is blocked, usually after someone renamed a port.
    ///
    /// ## Example
    /// ```yaml
    /// ingress:
    ///   - ports: [{port: https}]   # the container calls it "web"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// ingress:
    ///   - ports: [{port: web}]
    /// ```
    ///
    /// ## Remediation
    /// Use the container's port name (or the number).
    ///
    /// ## References
    /// - Kubernetes documentation, "Network Policies"
    pub struct NamedPortUnresolved {
        id: "NET006",
        name: "named-port-resolves-to-nothing",
        severity: Low,
        summary: "NetworkPolicy names a port no selected workload has",
        controls: ["nsa:network-separation"],
        pss: None,
    }
}

impl Check for NamedPortUnresolved {
    fn check_model(&self, _cx: &Context, model: &Model, scope: Scope, out: &mut Vec<(Arc<Anchor>, Violation)>) {
        let Some(ns) = scope.namespace() else { return };
        for entry in model.net.policies_in(ns) {
            let policy = &entry.policy;
            let named = policy.ingress.iter().any(|r| r.ports.iter().any(|p| matches!(p.port, PortRef::Name(_))));
            if !named || !policy.ingress_type {
                continue;
            }
            let selected: Vec<_> = model.net.selected_pods(entry).map(|e| &e.pod).collect();
            if selected.is_empty() {
                continue;
            }
            for (r, rule) in policy.ingress.iter().enumerate() {
                for (k, port) in rule.ports.iter().enumerate() {
                    let PortRef::Name(name) = &port.port else { continue };
                    let resolves = selected
                        .iter()
                        .any(|p| p.ports.iter().any(|cp| cp.name.as_deref() == Some(name.as_str()) && cp.protocol == port.protocol));
                    if !resolves {
                        out.push((
                            entry.anchor.clone(),
                            Violation::new(
                                FieldPath::root().keys(&["spec", "ingress"]).index(r).key("ports").index(k),
                                format!("{policy} allows port `{name}`/{}, which none of the {} workloads it selects declares", port.protocol, selected.len()),
                            ),
                        ));
                    }
                }
            }
        }
    }
}
