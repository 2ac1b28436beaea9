//! Measures raw parser events vs tree building on one file: `cargo run --release --example parse_speed FILE`.
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).expect("FILE");
    let text = std::fs::read_to_string(&path).unwrap();
    let t = Instant::now();
    let mut n = 0usize;
    let mut p = saphyr_parser::Parser::new_from_str(&text);
    while let Some(e) = p.next_event() {
        e.unwrap();
        n += 1;
    }
    let events = t.elapsed();
    let t = Instant::now();
    let mut docs = 0;
    palisade_source::documents(&text, &palisade_source::Limits::default(), |_| docs += 1);
    let tree = t.elapsed();
    let mb = text.len() as f64 / 1048576.0;
    println!("{n} events in {events:?} ({:.1} MiB/s); {docs} documents into trees in {tree:?} ({:.1} MiB/s)", mb / events.as_secs_f64(), mb / tree.as_secs_f64());
}
