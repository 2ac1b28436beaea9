//! The parser's limit, for the benchmark: reads every `.yaml` file under DIR and only
//! tokenizes it into YAML events (no tree, no rules), on every core, as `palisade scan`
//! spreads files. `cargo run --release -p palisade-source --example parse_events -- DIR`

use saphyr_parser::Parser;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: parse_events DIR");
    let mut all = Vec::new();
    files(Path::new(&dir), &mut all);
    let (next, events) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                while let Some(path) = all.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let text = std::fs::read_to_string(path).expect("utf-8 file");
                    let mut parser = Parser::new_from_str(&text);
                    let mut n = 0;
                    while let Some(Ok(_)) = parser.next_event() {
                        n += 1;
                    }
                    events.fetch_add(n, Ordering::Relaxed);
                }
            });
        }
    });
    println!("{} files, {} events", all.len(), events.into_inner());
}
