//! `palisade-testserver FILE|DIR... [--addr 127.0.0.1:PORT] [--kubeconfig OUT] [--forbid RESOURCE]...`
//! serves the objects of YAML/JSON files (Lists are unpacked) until killed; writes a
//! kubeconfig for it. For benchmarks and trying `palisade cluster` by hand.

use palisade_source::{json::json_of, Document, Limits};
use palisade_testserver::{Options, TestServer};
use std::path::{Path, PathBuf};

fn files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path).into_iter().flatten().flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            files(&p, out);
        }
    } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
        out.push(path.to_path_buf());
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut paths, mut addr, mut kubeconfig, mut options) = (Vec::new(), "127.0.0.1:0".to_string(), None, Options::default());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => addr = args.next().expect("--addr ADDR"),
            "--kubeconfig" => kubeconfig = Some(PathBuf::from(args.next().expect("--kubeconfig FILE"))),
            "--forbid" => options.forbidden.push(args.next().expect("--forbid RESOURCE")),
            "--legacy-discovery" => options.aggregated_discovery = false,
            "--max-page" => options.max_page = args.next().and_then(|n| n.parse().ok()),
            "--version" => options.version = args.next().expect("--version vX.Y.Z"),
            _ => paths.push(PathBuf::from(arg)),
        }
    }
    let mut all = Vec::new();
    for p in &paths {
        files(p, &mut all);
    }
    let mut objects = Vec::new();
    for file in &all {
        let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for doc in Document::load_all(&bytes, &Limits::default()) {
            let Ok(doc) = doc else { continue };
            let value = json_of(&doc.root);
            if value["kind"].as_str().is_some_and(|k| k == "List" || k.ends_with("List")) {
                objects.extend(value["items"].as_array().cloned().unwrap_or_default());
            } else if value.is_object() {
                objects.push(value);
            }
        }
    }
    let count = objects.len();
    let server = TestServer::start_on(&addr, objects, options).unwrap_or_else(|e| panic!("{e}"));
    if let Some(path) = kubeconfig {
        std::fs::write(&path, server.kubeconfig(false)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    eprintln!("serving {count} objects at {}", server.url);
    println!("{}", server.url);
    loop {
        std::thread::park();
    }
}
