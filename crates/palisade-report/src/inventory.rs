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

/// Where a secret comes from, in words.
pub fn origin_text(origin: &Origin) -> String {
    match origin {
        Origin::PlainSecret => "plain Secret".to_string(),
        Origin::ExternalSecret { external_secret, store, provider } => format!(
            "ExternalSecret {external_secret} from {store}{}",
            provider.as_deref().map(|p| format!(" ({p})")).unwrap_or_default()
        ),
        Origin::CsiSynced { class, provider } | Origin::Csi { class, provider } => format!(
            "Secrets Store CSI, SecretProviderClass {class}{}",
            provider.as_deref().map(|p| format!(" ({p})")).unwrap_or_else(|| " (provider unknown: class not in the input)".into())
        ),
    }
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
                o => origin_text(o),
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

/// `palisade inventory --format json`: `{"nodes", "namespaces", "workloads", "images",
/// "service_accounts", "exposures"}`.
pub fn estate_json(estate: &palisade_core::estate::Estate, images: &ImageInventory) -> Value {
    let nodes: Vec<Value> = estate
        .nodes
        .iter()
        .map(|n| json!({"name": n.name, "os_image": n.os_image, "kernel": n.kernel, "container_runtime": n.runtime, "kubelet": n.kubelet, "provider": n.provider}))
        .collect();
    let namespaces: Vec<Value> = estate.namespaces.iter().map(|(name, n)| json!({"name": name, "pss_enforce": n.enforce, "workloads": n.workloads})).collect();
    let workloads: Vec<Value> = estate
        .workloads
        .iter()
        .map(|w| {
            json!({"object": object(&w.object), "service_account": w.service_account,
                   "containers": w.containers.iter().map(|(n, i)| json!({"name": n, "image": i})).collect::<Vec<_>>()})
        })
        .collect();
    let accounts: Vec<Value> = estate.accounts.iter().map(|a| json!({"namespace": a.namespace, "name": a.name, "automount_token": a.automount})).collect();
    let exposures: Vec<Value> = estate.exposures.iter().map(|e| json!({"how": e.how, "object": object(&e.object), "detail": e.detail})).collect();
    json!({"nodes": nodes, "namespaces": namespaces, "workloads": workloads, "images": images_json(images)["images"],
           "service_accounts": accounts, "exposures": exposures})
}

/// One CSV line, quoted where needed (RFC 4180).
fn csv_line(out: &mut dyn Write, fields: &[&str]) -> io::Result<()> {
    let quoted: Vec<String> = fields
        .iter()
        .map(|f| if f.contains([',', '"', '\n', '\r']) { format!("\"{}\"", f.replace('"', "\"\"")) } else { f.to_string() })
        .collect();
    writeln!(out, "{}", quoted.join(","))
}

/// `palisade inventory --format csv`: one row per item, `section,kind,namespace,name,detail`.
pub fn estate_csv(estate: &palisade_core::estate::Estate, images: &ImageInventory, out: &mut dyn Write) -> io::Result<()> {
    csv_line(out, &["section", "kind", "namespace", "name", "detail"])?;
    for n in &estate.nodes {
        let detail = format!("os={}; kernel={}; runtime={}; kubelet={}; provider={}", n.os_image, n.kernel, n.runtime, n.kubelet, n.provider.as_deref().unwrap_or(""));
        csv_line(out, &["node", "Node", "", &n.name, &detail])?;
    }
    for (name, n) in &estate.namespaces {
        csv_line(out, &["namespace", "Namespace", "", name, &format!("pss_enforce={}; workloads={}", n.enforce.as_deref().unwrap_or(""), n.workloads)])?;
    }
    for w in &estate.workloads {
        let containers: Vec<String> = w.containers.iter().map(|(n, i)| format!("{n}={i}")).collect();
        csv_line(out, &["workload", &w.object.kind, w.object.namespace.as_deref().unwrap_or(""), &w.object.name, &format!("service_account={}; {}", w.service_account, containers.join("; "))])?;
    }
    for e in images.entries.values() {
        let i = &e.image;
        let detail = format!("registry={}; repository={}; tag={}; digest={}; workloads={}", i.registry, i.repository, i.tag.as_deref().unwrap_or(""), i.digest.as_deref().unwrap_or(""), e.uses.len());
        csv_line(out, &["image", "Image", "", &e.reference, &detail])?;
    }
    for a in &estate.accounts {
        csv_line(out, &["service_account", "ServiceAccount", &a.namespace, &a.name, &format!("automount_token={}", a.automount.map(|b| b.to_string()).unwrap_or_default())])?;
    }
    for e in &estate.exposures {
        csv_line(out, &["exposure", e.how, e.object.namespace.as_deref().unwrap_or(""), &e.object.name, &format!("{} {}: {}", e.object.kind, e.object.name, e.detail)])?;
    }
    Ok(())
}

/// `palisade inventory`: a section per kind of thing, sized for a terminal.
pub fn estate_table(estate: &palisade_core::estate::Estate, images: &ImageInventory, out: &mut dyn Write) -> io::Result<()> {
    let heading = |out: &mut dyn Write, title: &str, n: usize| writeln!(out, "{BOLD}{title}{BOLD:#} ({n})");
    heading(out, "nodes", estate.nodes.len())?;
    for n in &estate.nodes {
        writeln!(out, "  {:<28} kubelet {:<10} {:<24} {} {DIM}{}{DIM:#}", n.name, n.kubelet, n.runtime, n.os_image, n.provider.as_deref().map(|p| format!("({p})")).unwrap_or_default())?;
    }
    heading(out, "namespaces", estate.namespaces.len())?;
    for (name, n) in &estate.namespaces {
        writeln!(out, "  {name:<28} {:>4} workloads  enforce: {}", n.workloads, n.enforce.as_deref().unwrap_or("-"))?;
    }
    heading(out, "workloads", estate.workloads.len())?;
    for w in &estate.workloads {
        let images: Vec<&str> = w.containers.iter().map(|(_, i)| i.as_str()).collect();
        writeln!(out, "  {:<44} sa {:<20} {}", w.object.to_string(), w.service_account, images.join(", "))?;
    }
    heading(out, "images", images.entries.len())?;
    for e in images.entries.values() {
        let pinned = if e.image.digest.is_some() { "digest" } else { "tag only" };
        writeln!(out, "  {:<60} {:<8} {} workload(s)", e.reference, pinned, e.uses.len())?;
    }
    heading(out, "service accounts", estate.accounts.len())?;
    for a in &estate.accounts {
        let automount = match a.automount {
            Some(false) => "token not mounted",
            Some(true) => "token mounted",
            None => "token mounted (default)",
        };
        writeln!(out, "  {:<44} {automount}", format!("{}/{}", a.namespace, a.name))?;
    }
    heading(out, "exposures", estate.exposures.len())?;
    for e in &estate.exposures {
        writeln!(out, "  {:<12} {:<44} {}", e.how, e.object.to_string(), e.detail)?;
    }
    Ok(())
}
