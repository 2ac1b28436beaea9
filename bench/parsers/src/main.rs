//! Times each position-reporting YAML parser on crates.io over every `.yaml` file under DIR:
//! tokenize into events and read each event's line and column (what Palisade needs), on every
//! core as `palisade scan` spreads files. Prints the best of three runs per parser.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

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

/// Events of one file, with a checksum of their positions (so nothing is optimised away).
fn saphyr(text: &str) -> (usize, usize) {
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    let (mut n, mut sum) = (0, 0);
    while let Some(Ok((_, span))) = parser.next_event() {
        n += 1;
        sum += span.start.line() + span.start.col();
    }
    (n, sum)
}

fn yaml_rust2(text: &str) -> (usize, usize) {
    let mut parser = yaml_rust2::parser::Parser::new_from_str(text);
    let (mut n, mut sum) = (0, 0);
    loop {
        match parser.next_token() {
            Ok((yaml_rust2::Event::StreamEnd, _)) | Err(_) => break,
            Ok((_, mark)) => {
                n += 1;
                sum += mark.line() + mark.col();
            }
        }
    }
    (n, sum)
}

fn libyaml_safer(text: &str) -> (usize, usize) {
    let mut bytes = text.as_bytes();
    let mut parser = libyaml_safer::Parser::new();
    parser.set_input_string(&mut bytes);
    let (mut n, mut sum) = (0, 0);
    loop {
        match parser.parse() {
            Ok(event) => {
                n += 1;
                sum += event.start_mark.line as usize + event.start_mark.column as usize;
                if matches!(event.data, libyaml_safer::EventData::StreamEnd) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    (n, sum)
}

fn unsafe_libyaml(text: &str) -> (usize, usize) {
    use std::mem::MaybeUninit;
    use unsafe_libyaml as y;
    let (mut n, mut sum) = (0, 0);
    // SAFETY: the parser and event live on this stack frame, the input outlives the parser,
    // and every event is deleted after it is read, as libyaml's API requires.
    unsafe {
        let mut parser = MaybeUninit::<y::yaml_parser_t>::uninit();
        if !y::yaml_parser_initialize(parser.as_mut_ptr()).ok {
            return (0, 0);
        }
        let parser = parser.as_mut_ptr();
        y::yaml_parser_set_input_string(parser, text.as_ptr(), text.len() as u64);
        loop {
            let mut event = MaybeUninit::<y::yaml_event_t>::uninit();
            if !y::yaml_parser_parse(parser, event.as_mut_ptr()).ok {
                break;
            }
            let e = event.as_mut_ptr();
            n += 1;
            sum += (*e).start_mark.line as usize + (*e).start_mark.column as usize;
            let end = (*e).type_ == y::YAML_STREAM_END_EVENT;
            y::yaml_event_delete(e);
            if end {
                break;
            }
        }
        y::yaml_parser_delete(parser);
    }
    (n, sum)
}

fn time(all: &[(PathBuf, String)], parse: fn(&str) -> (usize, usize)) -> (f64, usize) {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut best = f64::MAX;
    let mut events = 0;
    for _ in 0..3 {
        let (next, count) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let started = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| loop {
                    let Some((_, text)) = all.get(next.fetch_add(1, Ordering::Relaxed)) else { break };
                    let (n, sum) = parse(text);
                    count.fetch_add(n, Ordering::Relaxed);
                    std::hint::black_box(sum);
                });
            }
        });
        best = best.min(started.elapsed().as_secs_f64());
        events = count.into_inner();
    }
    (best, events)
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: palisade-parser-bench DIR");
    let mut paths = Vec::new();
    files(Path::new(&dir), &mut paths);
    let all: Vec<(PathBuf, String)> = paths.into_iter().map(|p| {
        let text = std::fs::read_to_string(&p).expect("utf-8 file");
        (p, text)
    }).collect();
    let bytes: usize = all.iter().map(|(_, t)| t.len()).sum();
    println!("{} files, {:.1} MB, files already in memory, best of 3", all.len(), bytes as f64 / 1e6);
    let parsers: [(&str, fn(&str) -> (usize, usize)); 4] =
        [("saphyr-parser 0.3", saphyr), ("yaml-rust2 0.10", yaml_rust2), ("libyaml-safer 0.1", libyaml_safer), ("unsafe-libyaml 0.2", unsafe_libyaml)];
    let (base, _) = time(&all, saphyr);
    println!("{:<20} {:>9} {:>12} {:>9} {:>10}", "parser", "seconds", "events", "MB/s", "vs saphyr");
    for (name, parse) in parsers {
        let (secs, events) = time(&all, parse);
        println!("{name:<20} {secs:>9.3} {events:>12} {:>9.0} {:>9.2}x", bytes as f64 / 1e6 / secs, secs / base);
    }
}
