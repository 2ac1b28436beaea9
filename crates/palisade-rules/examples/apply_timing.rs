//! Incremental apply at scale, for the benchmark: loads every object under DIR into the
//! incremental engine (as a watch would after its initial list), then times replacing one
//! workload of the largest namespace (its labels and image change), changing a label of that
//! namespace's Namespace object that no selector reads (`env`), and one that moves it in and
//! out of a namespaceSelector other namespaces' policies use (`team: ingress`), alternating
//! two versions of each.
//! `cargo run --release -p palisade-rules --example apply_timing -- DIR [REPEATS]`

use palisade_core::{Node, Object};
use palisade_rules::{Engine, Incremental, Selection};
use palisade_source::{Document, Limits};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

fn parse(text: &str) -> Node {
    Document::load_all(text.as_bytes(), &Limits::default()).remove(0).expect("valid YAML").root
}

fn median_ms(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: apply_timing DIR [REPEATS]");
    let repeats: usize = args.next().map(|r| r.parse().expect("a number")).unwrap_or(50);
    let mut paths = Vec::new();
    files(Path::new(&dir), &mut paths);
    paths.sort();
    let mut nodes = Vec::new();
    for path in &paths {
        let text = std::fs::read(path).expect("readable");
        nodes.extend(Document::load_all(&text, &Limits::default()).into_iter().filter_map(Result::ok).map(|d| d.root));
    }
    let mut per_ns: BTreeMap<String, usize> = BTreeMap::new();
    for n in &nodes {
        if let Some(ns) = Object::from_node(n).ok().and_then(|o| o.namespace) {
            *per_ns.entry(ns.to_string()).or_default() += 1;
        }
    }
    let (ns, size) = per_ns.iter().max_by_key(|(_, n)| **n).map(|(k, n)| (k.clone(), *n)).expect("namespaced objects");
    let start = Instant::now();
    let engine = Engine::new(&Selection::default()).expect("engine");
    let (mut live, errors) = Incremental::with_objects(engine, nodes.iter());
    let load = start.elapsed().as_secs_f64();
    let open = live.findings().count();
    drop(nodes);
    let workload = |v: usize| {
        parse(&format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: bench-web, namespace: {ns}}}\nspec:\n  template:\n    metadata: {{labels: {{app.kubernetes.io/name: bench-web, version: v{v}}}}}\n    spec:\n      containers:\n        - name: web\n          image: registry.example.com/web:1.{v}\n          ports: [{{name: http, containerPort: 8080}}]\n          securityContext: {{privileged: {}}}\n",
            v.is_multiple_of(2)
        ))
    };
    let namespace = |team: &str, env: &str| {
        parse(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels: {{team: {team}, env: {env}, pod-security.kubernetes.io/enforce: baseline}}\n"
        ))
    };
    let unread = |v: usize| namespace("team-3", if v.is_multiple_of(2) { "prod" } else { "staging" });
    let selected = |v: usize| namespace(if v.is_multiple_of(2) { "ingress" } else { "team-3" }, "prod");
    let time = |live: &mut Incremental, make: &dyn Fn(usize) -> Node| -> (f64, usize) {
        let versions = [make(0), make(1)];
        let mut samples = Vec::new();
        let mut changed = 0;
        for i in 0..repeats {
            let t = Instant::now();
            let delta = live.apply(&versions[i % 2]).expect("an object");
            samples.push(t.elapsed().as_secs_f64() * 1000.0);
            changed += delta.opened.len() + delta.resolved.len();
        }
        (median_ms(samples), changed / repeats)
    };
    let (w, wd) = time(&mut live, &workload);
    let (u, ud) = time(&mut live, &unread);
    let (n, nd) = time(&mut live, &selected);
    println!(
        "{} objects loaded in {load:.2} s ({} unreadable), {open} findings open; largest namespace {ns} ({size} objects)",
        live.model().len(),
        errors.len()
    );
    println!("apply workload: {w:.3} ms median of {repeats} ({wd} findings changed per apply)");
    println!("apply Namespace label change no selector reads: {u:.3} ms median of {repeats} ({ud} findings changed per apply)");
    println!("apply Namespace label change in/out of a namespaceSelector: {n:.3} ms median of {repeats} ({nd} findings changed per apply)");
}
