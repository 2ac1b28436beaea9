//! Inventories for people and tools: `palisade images` (every image, its registry, tag and
//! digest, and the workloads running it) and `palisade secrets` (where each workload's
//! secrets come from).

use anstyle::{AnsiColor, Style};
use palisade_core::inventory::{ImageInventory, Origin, WorkloadSecrets};
use palisade_core::{Location, ObjectRef};
use serde_json::{json, Value};
use std::io::{self, Write};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn object(o: &ObjectRef) -> Value {
    json!({"api_version": o.api_version, "kind": o.kind, "namespace": o.namespace, "name": o.name})
}

fn location(l: &Option<Location>) -> Value {
    match l {
        Some(l) => json!({"file": &*l.file, "line": l.line, "column": l.column}),
        None => Value::Null,
    }
}

/// `{"images": [{"image", "registry", "repository", "tag", "digest", "workloads": [...]}]}`
pub fn images_json(inv: &ImageInventory) -> Value {
    let images: Vec<Value> = inv
        .entries
        .values()
        .map(|e| {
            json!({
                "image": e.reference,
                "registry": e.image.registry,
                "repository": e.image.repository,
                "tag": e.image.tag,
                "digest": e.image.digest,
                "workloads": e.uses.iter().map(|u| json!({
                    "object": object(&u.workload), "container": u.container, "location": location(&u.location),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "images": images })
}

/// One line per image: reference, registry, tag, digest (shortened), and who runs it.
pub fn images_table(inv: &ImageInventory, out: &mut dyn Write) -> io::Result<()> {
    let width = inv.entries.keys().map(|k| k.chars().count()).max().unwrap_or(5).min(48);
    writeln!(out, "{BOLD}{:<width$}  {:<22} {:<12} {:<14} WORKLOADS{BOLD:#}", "IMAGE", "REGISTRY", "TAG", "DIGEST")?;
    for e in inv.entries.values() {
        let digest = e.image.digest.as_deref().map(|d| d.chars().take(14).collect::<String>()).unwrap_or_else(|| "-".into());
        let mut workloads: Vec<String> = e.uses.iter().map(|u| u.workload.to_string()).collect();
        workloads.dedup();
        let shown = workloads.iter().take(2).cloned().collect::<Vec<_>>().join(", ");
        let more = if workloads.len() > 2 { format!(" +{}", workloads.len() - 2) } else { String::new() };
        let reference: String = e.reference.chars().take(width).collect();
        writeln!(
            out,
            "{reference:<width$}  {:<22} {:<12} {DIM}{digest:<14}{DIM:#} {shown}{more}",
            e.image.registry,
            e.image.tag.as_deref().unwrap_or("-"),
        )?;
    }
    let pinned = inv.entries.values().filter(|e| e.image.pinned()).count();
    writeln!(out, "\n{} images, {pinned} pinned by digest", inv.entries.len())
}

fn origin_json(o: &Origin) -> Value {
    match o {
        Origin::PlainSecret => json!({"kind": o.kind()}),
        Origin::ExternalSecret { external_secret, store, provider } => {
            json!({"kind": o.kind(), "external_secret": external_secret, "store": store, "provider": provider})
        }
        Origin::CsiSynced { class, provider } | Origin::Csi { class, provider } => {
            json!({"kind": o.kind(), "secret_provider_class": class, "provider": provider})
        }
    }
}

/// `{"workloads": [{"object", "sources": [{"name", "how", "container", "origin", "location"}]}]}`
pub fn secrets_json(workloads: &[WorkloadSecrets]) -> Value {
    let list: Vec<Value> = workloads
        .iter()
        .map(|w| {
            json!({
                "object": object(&w.workload),
                "sources": w.sources.iter().map(|s| json!({
                    "name": s.name, "how": s.how, "container": s.container,
                    "origin": origin_json(&s.origin), "location": location(&s.location),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "workloads": list })
}

/// Per workload, each secret and where it comes from; plain Secrets are marked when the
/// policy requires a vault.
pub fn secrets_table(workloads: &[WorkloadSecrets], require_vault: bool, out: &mut dyn Write) -> io::Result<()> {
    let red = Style::new().fg_color(Some(AnsiColor::Red.into()));
    for w in workloads {
        writeln!(out, "{BOLD}{}{BOLD:#}", w.workload)?;
        for s in &w.sources {
            let origin = match &s.origin {
                Origin::PlainSecret if require_vault => format!("{red}plain Secret (the policy requires a vault){red:#}"),
                Origin::PlainSecret => "plain Secret".to_string(),
                Origin::ExternalSecret { external_secret, store, provider } => format!(
                    "ExternalSecret {external_secret} from {store}{}",
                    provider.as_deref().map(|p| format!(" ({p})")).unwrap_or_default()
                ),
                Origin::CsiSynced { class, provider } | Origin::Csi { class, provider } => format!(
                    "Secrets Store CSI, SecretProviderClass {class}{}",
                    provider.as_deref().map(|p| format!(" ({p})")).unwrap_or_else(|| " (provider unknown: class not in the input)".into())
                ),
            };
            let at = s.location.as_ref().map(|l| format!("{}:{}", l.file, l.line)).unwrap_or_default();
            let container = s.container.as_deref().map(|c| format!(" [{c}]")).unwrap_or_default();
            writeln!(out, "  {:<28} {:<17} {origin}{container}  {DIM}{at}{DIM:#}", s.name, s.how)?;
        }
    }
    let total: usize = workloads.iter().map(|w| w.sources.len()).sum();
    let vaulted = workloads.iter().flat_map(|w| &w.sources).filter(|s| s.origin.from_vault()).count();
    writeln!(out, "\n{} workloads read {total} secrets; {vaulted} come from a vault", workloads.len())
}
