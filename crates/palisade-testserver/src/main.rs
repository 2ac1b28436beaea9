//! `palisade-testserver FILE|DIR... [--addr 127.0.0.1:PORT] [--kubeconfig OUT] [--forbid RESOURCE]...`
//! serves the objects of YAML/JSON files (Lists are unpacked) until killed; writes a
//! kubeconfig for it. For benchmarks and trying `palisade cluster` by hand.

use palisade_testserver::{Options, TestServer};
use std::path::PathBuf;

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
    let objects = palisade_testserver::objects_from_files(&paths).unwrap_or_else(|e| panic!("{e}"));
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
